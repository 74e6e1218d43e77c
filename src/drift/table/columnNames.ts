import fs from 'node:fs';
import path from 'node:path';
import { readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';

const HEAD_BYTES = 256 * 1024;

/** A table file's column names from its first lines only (CSV/TSV header, JSONL keys); undefined for other formats. */
export function readColumnNames(file: string): string[] | undefined {
  const extension = path.extname(file).toLowerCase();
  if (!['.csv', '.tsv', '.tab', '.jsonl', '.ndjson'].includes(extension)) return undefined;
  const fd = fs.openSync(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    head = buffer.subarray(0, fs.readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
  const lastNewline = head.lastIndexOf(0x0a);
  const complete = lastNewline >= 0 ? head.subarray(0, lastNewline + 1) : head;
  const table = extension === '.jsonl' || extension === '.ndjson' ? readJsonl(complete.toString('utf8')) : readCsv(complete, { delimiter: extension === '.csv' ? ',' : '\t' });
  return table.columns.map((column) => column.name);
}
