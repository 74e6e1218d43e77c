import fs from 'node:fs/promises';
import path from 'node:path';
import { type CsvTable, readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';
import { releaseBuffer } from '../../platform/releaseBuffer.ts';
import { readParquet } from './parquet.ts';
import { TABLE_FORMATS } from './tableFormats.ts';


/** A data file into columns, by its extension. Rejects with a message that names the file (and the formats read). */
export async function loadTable(file: string): Promise<CsvTable> {
  const extension = path.extname(file).toLowerCase();
  if (!TABLE_FORMATS.includes(extension)) {
    throw new Error(`${file}: cannot read ${extension || 'files without an extension'} yet; MLTrail reads ${TABLE_FORMATS.join(', ')}`);
  }
  try {
    return await readByExtension(file, extension);
  } catch (error) {
    throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

async function readByExtension(file: string, extension: string): Promise<CsvTable> {
  if (extension === '.parquet' || extension === '.pq') return readParquet(file);
  const bytes = await fs.readFile(file);
  try {
    if (extension === '.jsonl' || extension === '.ndjson') return readJsonl(bytes);
    return readCsv(bytes, { delimiter: extension === '.csv' ? ',' : '\t' });
  } finally {
    // The columns hold copies: the file's bytes (as big as the file) can go before anything else is allocated.
    releaseBuffer(bytes);
  }
}
