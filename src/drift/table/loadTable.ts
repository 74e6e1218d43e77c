import fs from 'node:fs';
import path from 'node:path';
import { type CsvTable, readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';

export const TABLE_FORMATS = ['.csv', '.tsv', '.tab', '.jsonl', '.ndjson'];

/** A data file into columns, by its extension. Throws with a message that names the file and the formats read. */
export function loadTable(file: string): CsvTable {
  const extension = path.extname(file).toLowerCase();
  if (!TABLE_FORMATS.includes(extension)) {
    throw new Error(`${file}: cannot read ${extension || 'files without an extension'} yet; MLTrail reads ${TABLE_FORMATS.join(', ')}`);
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (extension === '.jsonl' || extension === '.ndjson') return readJsonl(bytes.toString('utf8'));
  return readCsv(bytes, { delimiter: extension === '.csv' ? ',' : '\t' });
}
