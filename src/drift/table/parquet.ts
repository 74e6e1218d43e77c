/**
 * A Parquet reader into the columns the CSV reader makes, typed as pandas.read_parquet types them, so the drift
 * engine types them as Evidently would:
 * - integers (INT32, INT64, INT_8 to UINT_64): numeric, `integer`; INT64 values past 2^53 lose precision and that
 *   is reported once per column;
 * - FLOAT, DOUBLE, FLOAT16, DECIMAL: numeric, not `integer` (a float column stays float even when its values are
 *   whole, as in pandas);
 * - DATE, TIMESTAMP (any unit), INT96: numeric epoch milliseconds, not `integer`, which drift over time reads as
 *   times; TIME: milliseconds since midnight;
 * - strings (UTF8, ENUM, JSON as its text, UUID, plain BYTE_ARRAY): categorical; an empty string is a category, not
 *   missing (pandas reads it so from Parquet);
 * - BOOLEAN: categorical "True"/"False", the labels pandas writes to CSV, so a Parquet file compares with a CSV
 *   export of the same frame; two values make it categorical for Evidently either way;
 * - nested (LIST, MAP, STRUCT, VARIANT), INTERVAL, BSON, geometry and bare fixed-length binary: skipped, each with a
 *   problem naming the column.
 * Nulls are NaN or code -1. Columns pandas makes the index (the "pandas" metadata's index_columns) are left out.
 * The file is read through a file handle one column of one row group at a time: memory holds the finished columns
 * and one column chunk, never the whole file.
 * Errors do not name the file: the caller does.
 */
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { type AsyncBuffer, type ColumnData, type Compressors, type DecodedArray, type FileMetaData, type ParquetParsers, type SchemaElement, type SchemaTree, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors, decompressLz4, decompressLz4Raw } from 'hyparquet-compressors';
import type { CategoricalColumn, Column, CsvProblem, CsvTable, NumericColumn } from './csv.ts';

type Reading =
  /** `divisor` turns what hyparquet decodes into the column's unit (TIME's micro- and nanoseconds into milliseconds). */
  | { kind: 'numeric'; integer: boolean; divisor: number; wide: boolean }
  | { kind: 'categorical'; label: (value: unknown) => string }
  | { kind: 'skipped'; reason: string };
type NumericReading = Extract<Reading, { kind: 'numeric' }>;

const MILLISECONDS_PER_DAY = 86_400_000;
const textDecoder = new TextDecoder();

/** Times as epoch milliseconds rather than Date objects; JSON as its text rather than parsed. */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (milliseconds) => Number(milliseconds),
  timestampFromMicroseconds: (microseconds) => Number(microseconds) / 1e3,
  // Nanoseconds since 1970 pass 2^53: whole milliseconds are split off first, so that a time in whole milliseconds
  // reads back exactly as the same time written as ISO text would.
  timestampFromNanoseconds: (nanoseconds) => Number(nanoseconds / 1_000_000n) + Number(nanoseconds % 1_000_000n) / 1e6,
  dateFromDays: (days) => days * MILLISECONDS_PER_DAY,
  jsonFromBytes: (bytes) => bytes && textDecoder.decode(bytes),
};

/**
 * Node's own zlib for the codecs it has, several times faster than hyparquet-compressors' JavaScript decoders;
 * zstd only where the runtime has it (an extension host's Electron may build Node without it). An empty LZ4 block
 * (the single zero byte LZ4 writes for a page of nulls) is an error to hyparquet-compressors, so it is caught here.
 */
const DECOMPRESSORS: Compressors = {
  ...compressors,
  LZ4: (input, length) => (length === 0 ? new Uint8Array(0) : decompressLz4(input, length)),
  LZ4_RAW: (input, length) => (length === 0 ? new Uint8Array(0) : decompressLz4Raw(input, length)),
  GZIP: (input) => zlib.gunzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  ...(typeof zlib.zstdDecompressSync === 'function' ? { ZSTD: (input: Uint8Array) => zlib.zstdDecompressSync(input) } : {}),
};

const NUMBER: NumericReading = { kind: 'numeric', integer: false, divisor: 1, wide: false };
const TEXT: Reading = { kind: 'categorical', label: String };
const BOOLEAN: Reading = { kind: 'categorical', label: (value) => (value ? 'True' : 'False') };
const TIME_DIVISORS = { MILLIS: 1, MICROS: 1e3, NANOS: 1e6 };

/** Reads a whole Parquet file into columns. */
export async function readParquet(file: string): Promise<CsvTable> {
  const handle = await fs.open(file, 'r');
  try {
    const source = fileSource(handle, (await handle.stat()).size);
    return await readColumns(source, await readMetadata(source));
  } finally {
    await handle.close();
  }
}

/** Reads slices of the file on demand, each into a buffer of its own. */
function fileSource(handle: fs.FileHandle, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start, end = byteLength) {
      const bytes = new Uint8Array(end - start);
      for (let filled = 0; filled < bytes.length; ) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
        if (bytesRead === 0) throw new Error(`the file ends at byte ${start + filled}, before the data it describes`);
        filled += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

async function readMetadata(source: AsyncBuffer): Promise<FileMetaData> {
  const magic = async (start: number) => textDecoder.decode(await source.slice(start, start + 4));
  const head = source.byteLength >= 4 ? await magic(0) : '';
  if (head === 'PARE') throw new Error('an encrypted Parquet file, which MLTrail cannot read');
  if (head !== 'PAR1' || source.byteLength < 12) throw new Error('not a Parquet file (it does not start with PAR1)');
  if ((await magic(source.byteLength - 4)) !== 'PAR1') throw new Error('a Parquet file without its footer: truncated, or still being written');
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(source, { parsers: PARSERS });
  } catch (error) {
    throw new Error(`corrupt Parquet footer (${(error as Error).message})`);
  }
  for (const element of metadata.schema) fillConvertedType(element);
  return metadata;
}

/**
 * hyparquet converts DECIMAL and DATE by their converted type only; a writer that sets just the logical type gets
 * it filled in here, so those columns read the same whichever annotation they carry.
 */
function fillConvertedType(element: SchemaElement): void {
  const logical = element.logical_type;
  if (element.converted_type || !logical) return;
  if (logical.type === 'DATE') element.converted_type = 'DATE';
  if (logical.type === 'DECIMAL') {
    element.converted_type = 'DECIMAL';
    element.scale = logical.scale;
    element.precision = logical.precision;
  }
}

function readingOf(column: SchemaTree): Reading {
  const { element } = column;
  if (column.children.length > 0 || element.repetition_type === 'REPEATED') return { kind: 'skipped', reason: 'nested columns are not compared' };
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (converted === 'DECIMAL' || logical?.type === 'FLOAT16') return NUMBER;
  if (converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical?.type === 'TIMESTAMP' || element.type === 'INT96') return NUMBER;
  if (logical?.type === 'TIME') return { ...NUMBER, divisor: TIME_DIVISORS[logical.unit] };
  if (converted === 'TIME_MILLIS' || converted === 'TIME_MICROS') return { ...NUMBER, divisor: converted === 'TIME_MILLIS' ? 1 : 1e3 };
  for (const unsupported of ['INTERVAL', 'BSON', 'GEOMETRY', 'GEOGRAPHY']) {
    if (converted === unsupported || logical?.type === unsupported) return { kind: 'skipped', reason: `${unsupported} columns are not compared` };
  }
  if (logical?.type === 'NULL') return TEXT;
  switch (element.type) {
    case 'BOOLEAN':
      return BOOLEAN;
    case 'INT32':
      return { ...NUMBER, integer: true };
    case 'INT64':
      return { ...NUMBER, integer: true, wide: true };
    case 'FLOAT':
    case 'DOUBLE':
      return NUMBER;
    case 'BYTE_ARRAY':
      return TEXT;
    default:
      return logical?.type === 'UUID' ? TEXT : { kind: 'skipped', reason: 'binary columns are not compared' };
  }
}

/** Columns pandas restores as the frame's index rather than as columns. */
function pandasIndexColumns(metadata: FileMetaData): Set<string> {
  const pandas = metadata.key_value_metadata?.find((entry) => entry.key === 'pandas')?.value;
  if (!pandas) return new Set();
  try {
    const indexColumns: unknown = JSON.parse(pandas).index_columns;
    return new Set(Array.isArray(indexColumns) ? indexColumns.filter((name) => typeof name === 'string') : []);
  } catch {
    return new Set();
  }
}

interface ColumnBuilder {
  readonly name: string;
  add(data: DecodedArray, offset: number): void;
  finish(problems: CsvProblem[]): Column;
}

class NumericBuilder implements ColumnBuilder {
  readonly name: string;
  private readonly reading: NumericReading;
  private readonly values: Float64Array;

  constructor(name: string, reading: NumericReading, rows: number) {
    this.name = name;
    this.reading = reading;
    this.values = new Float64Array(rows).fill(Number.NaN);
  }

  add(data: DecodedArray, offset: number): void {
    const { values } = this;
    if (ArrayBuffer.isView(data) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array)) {
      values.set(data, offset);
      return;
    }
    // Nullable columns (nulls as null), 64-bit integers (bigint) and converted types (numbers) come one by one.
    for (let index = 0; index < data.length; index++) {
      const value = data[index];
      values[offset + index] = value === null || value === undefined ? Number.NaN : Number(value);
    }
  }

  finish(problems: CsvProblem[]): NumericColumn {
    const { values, reading } = this;
    if (reading.divisor !== 1) for (let index = 0; index < values.length; index++) values[index] = (values[index] as number) / reading.divisor;
    if (reading.wide) {
      const row = values.findIndex((value) => Math.abs(value) > Number.MAX_SAFE_INTEGER);
      if (row >= 0) problems.push({ line: 0, message: `column "${this.name}": integers beyond 2^53 (the first in row ${row + 1}) lose precision as numbers` });
    }
    return { kind: 'numeric', name: this.name, values, integer: reading.integer };
  }
}

class CategoricalBuilder implements ColumnBuilder {
  readonly name: string;
  private readonly label: (value: unknown) => string;
  private readonly codes: Int32Array;
  private readonly dictionary: string[] = [];
  /**
   * Keyed by the decoded value itself. Dictionary-encoded pages (most string columns) repeat the dictionary's own
   * string objects, whose hashes V8 caches; hashing bytes instead measured slower, even for plain-encoded pages.
   */
  private readonly codeByValue = new Map<unknown, number>();

  constructor(name: string, label: (value: unknown) => string, rows: number) {
    this.name = name;
    this.label = label;
    this.codes = new Int32Array(rows).fill(-1);
  }

  add(data: DecodedArray, offset: number): void {
    const { codes, codeByValue, dictionary } = this;
    for (let index = 0; index < data.length; index++) {
      const value = data[index];
      if (value === null || value === undefined) continue;
      let code = codeByValue.get(value);
      if (code === undefined) {
        code = dictionary.length;
        codeByValue.set(value, code);
        dictionary.push(this.label(value));
      }
      codes[offset + index] = code;
    }
  }

  finish(): CategoricalColumn {
    return { kind: 'categorical', name: this.name, codes: this.codes, dictionary: this.dictionary };
  }
}

function checkCodecs(metadata: FileMetaData, names: Set<string>): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      const name = chunk.meta_data?.path_in_schema[0];
      if (codec && codec !== 'UNCOMPRESSED' && !(codec in DECOMPRESSORS) && name !== undefined && names.has(name)) {
        throw new Error(`column "${name}" is compressed with ${codec}, which MLTrail cannot read (it reads ${Object.keys(DECOMPRESSORS).join(', ')} and uncompressed data)`);
      }
    }
  }
}

async function readColumns(source: AsyncBuffer, metadata: FileMetaData): Promise<CsvTable> {
  const rows = metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0);
  const problems: CsvProblem[] = [];
  const indexColumns = pandasIndexColumns(metadata);
  const builders: ColumnBuilder[] = [];
  for (const column of parquetSchema(metadata).children) {
    const name = column.element.name;
    if (indexColumns.has(name)) continue;
    const reading = readingOf(column);
    if (reading.kind === 'skipped') problems.push({ line: 0, message: `column "${name}": ${reading.reason}; skipped` });
    else builders.push(reading.kind === 'numeric' ? new NumericBuilder(name, reading, rows) : new CategoricalBuilder(name, reading.label, rows));
  }
  checkCodecs(metadata, new Set(builders.map((builder) => builder.name)));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    for (const builder of builders) {
      for (const chunk of await readColumnChunk(source, metadata, builder.name, groupStart, groupEnd)) builder.add(chunk.columnData, chunk.rowStart);
    }
    groupStart = groupEnd;
  }
  return { columns: builders.map((builder) => builder.finish(problems)), rows, problems };
}

/** One column of one row group, decoded. */
async function readColumnChunk(source: AsyncBuffer, metadata: FileMetaData, name: string, rowStart: number, rowEnd: number): Promise<ColumnData[]> {
  const chunks: ColumnData[] = [];
  try {
    // Chunks are only collected here: hyparquet calls onChunk where a throw would go unhandled.
    await parquetRead({ file: source, metadata, columns: [name], rowStart, rowEnd, compressors: DECOMPRESSORS, parsers: PARSERS, onChunk: (chunk) => chunks.push(chunk) });
  } catch (error) {
    throw new Error(`cannot read column "${name}" in rows ${rowStart + 1} to ${rowEnd} (${(error as Error).message})`);
  }
  const values = chunks.reduce((sum, chunk) => sum + chunk.columnData.length, 0);
  if (values !== rowEnd - rowStart) throw new Error(`corrupt Parquet data: column "${name}" holds ${values} values for rows ${rowStart + 1} to ${rowEnd}`);
  return chunks;
}
