import fs from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, type SchemaTree } from 'hyparquet';
import type { Column, CsvProblem, CsvTable } from '../drift/table/csv.ts';
import { readCsv } from '../drift/table/csv.ts';
import { readJsonl } from '../drift/table/jsonl.ts';
import { TABLE_FORMATS } from '../drift/table/tableFormats.ts';

export interface ColumnProfile {
  name: string;
  /** `integer`, `float`, `string`; from Parquet also `boolean`, `date`, `time`, `timestamp`, `decimal`, `binary`, `list`, `map`, `struct`. */
  type: string;
}

export interface TableProfile {
  /** Absent for files that are not tables, or that could not be read. */
  rows?: number;
  columns?: ColumnProfile[];
  /** What could not be read; the snapshot is recorded all the same. */
  problems: string[];
}

const PARQUET = '.parquet';
/** Text tables are read whole into memory to be profiled: beyond this size they are hashed only. */
const PROFILE_MAX_BYTES = 512 * 1024 * 1024;
const PROBLEMS_KEPT = 5;

export function isTableFile(file: string): boolean {
  const extension = path.extname(file).toLowerCase();
  return extension === PARQUET || TABLE_FORMATS.includes(extension);
}

/**
 * Rows, columns and column types of a CSV, TSV, JSON Lines or Parquet file (Parquet from its footer alone, never
 * its data); nothing for other files. Never throws for a file's content: what is wrong becomes `problems`.
 */
export async function profileTable(file: string): Promise<TableProfile> {
  if (!isTableFile(file)) return { problems: [] };
  const extension = path.extname(file).toLowerCase();
  if (extension === PARQUET) return profileParquet(file);
  const size = fs.statSync(file).size;
  if (size > PROFILE_MAX_BYTES) return { problems: [`not profiled: ${size} bytes is more than the ${PROFILE_MAX_BYTES} bytes read to count rows and columns`] };
  const bytes = fs.readFileSync(file);
  const table = extension === '.jsonl' || extension === '.ndjson'
    ? readJsonl(bytes.toString('utf8'), PROBLEMS_KEPT)
    : readCsv(bytes, { delimiter: extension === '.csv' ? ',' : '\t', maxProblems: PROBLEMS_KEPT });
  return profileOf(table);
}

function profileOf(table: CsvTable): TableProfile {
  return { rows: table.rows, columns: table.columns.map((column) => ({ name: column.name, type: columnType(column) })), problems: table.problems.map(describeProblem) };
}

function columnType(column: Column): string {
  if (column.kind === 'categorical') return 'string';
  return column.integer ? 'integer' : 'float';
}

function describeProblem(problem: CsvProblem): string {
  return problem.line > 0 ? `line ${problem.line}: ${problem.message}` : problem.message;
}

async function profileParquet(file: string): Promise<TableProfile> {
  try {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    const columns = parquetSchema(metadata).children.map((child) => ({ name: child.element.name, type: parquetColumnType(child) }));
    return { rows: Number(metadata.num_rows), columns, problems: [] };
  } catch (error) {
    return { problems: [`cannot read the Parquet footer: ${(error as Error).message}`] };
  }
}

const TIME_TYPES: Record<string, string> = { DATE: 'date', TIME: 'time', TIME_MILLIS: 'time', TIME_MICROS: 'time', TIMESTAMP: 'timestamp', TIMESTAMP_MILLIS: 'timestamp', TIMESTAMP_MICROS: 'timestamp' };

const TEXT_TYPES = new Set(['STRING', 'UTF8', 'ENUM', 'JSON', 'UUID']);

function parquetColumnType({ element, children }: SchemaTree): string {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (children.length > 0) {
    if (logical === 'LIST' || converted === 'LIST') return 'list';
    if (logical === 'MAP' || converted === 'MAP' || converted === 'MAP_KEY_VALUE') return 'map';
    return 'struct';
  }
  const time = TIME_TYPES[logical ?? ''] ?? TIME_TYPES[converted ?? ''];
  if (time) return time;
  if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'decimal';
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'INT96':
      return 'timestamp';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    default:
      if (logical === 'FLOAT16') return 'float';
      return TEXT_TYPES.has(logical ?? '') || TEXT_TYPES.has(converted ?? '') ? 'string' : 'binary';
  }
}
