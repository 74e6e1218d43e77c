import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { type ColumnSource, type ParquetWriteOptions, type SchemaElement, parquetWriteBuffer } from 'hyparquet-writer';
import { parseWindow } from '../../../src/drift/chunkWindow.ts';
import { driftOverTime } from '../../../src/drift/overTime.ts';
import type { CategoricalColumn, Column, CsvTable, NumericColumn } from '../../../src/drift/table/csv.ts';
import { loadTable } from '../../../src/drift/table/loadTable.ts';
import { readParquet } from '../../../src/drift/table/parquet.ts';
import { seededRandom, tempDir } from '../../support/tempStore.ts';

/** Writes a Parquet file with hyparquet-writer and returns its path and bytes. */
function writeParquet(dir: string, name: string, options: Omit<ParquetWriteOptions, 'writer'>): { file: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(parquetWriteBuffer(options));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

/** A schema of flat columns under the root. */
function flatSchema(...columns: SchemaElement[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns];
}

/** An LZ4 block of literals only: valid LZ4 that any decoder must read (one zero byte for empty input, as LZ4 writes). */
function lz4Literals(input: Uint8Array): Uint8Array {
  const header = [Math.min(input.length, 15) << 4];
  if (input.length >= 15) {
    let rest = input.length - 15;
    for (; rest >= 255; rest -= 255) header.push(255);
    header.push(rest);
  }
  const block = new Uint8Array(header.length + input.length);
  block.set(header);
  block.set(input, header.length);
  return block;
}

function column<Kind extends Column['kind']>(table: CsvTable, name: string, kind: Kind): Extract<Column, { kind: Kind }> {
  const found = table.columns.find((candidate) => candidate.name === name);
  assert.ok(found, `no column ${name}`);
  assert.equal(found.kind, kind, `${name} is ${found.kind}`);
  return found as Extract<Column, { kind: Kind }>;
}

const numbersOf = (numeric: NumericColumn) => Array.from(numeric.values, (value) => (Number.isNaN(value) ? null : value));
const labelsOf = (categorical: CategoricalColumn) => Array.from(categorical.codes, (code) => (code < 0 ? null : categorical.dictionary[code]));

test('numbers, integers, nulls, strings and booleans read back across row groups and encodings', async () => {
  const random = seededRandom(11);
  const rows = 2500;
  const score = Array.from({ length: rows }, (_, row) => (row % 7 === 3 ? null : Math.round(random() * 1e6) / 1e3 - 500));
  const count = Int32Array.from({ length: rows }, () => Math.floor(random() * 2000) - 1000);
  const ratio = Float32Array.from({ length: rows }, () => random());
  const whole = Float64Array.from({ length: rows }, (_, row) => row % 5);
  const colors = ['red', 'green', 'blue', '', 'ça va ☃'];
  const color = Array.from({ length: rows }, (_, row) => (row % 11 === 0 ? null : (colors[Math.floor(random() * colors.length)] as string)));
  const flag = Array.from({ length: rows }, (_, row) => (row % 13 === 0 ? null : random() < 0.3));
  const id = Array.from({ length: rows }, (_, row) => `user-${row}-${Math.floor(random() * 1e9)}`);
  const columnData: ColumnSource[] = [
    { name: 'score', data: score, type: 'DOUBLE' },
    { name: 'count', data: count, encoding: 'DELTA_BINARY_PACKED' },
    { name: 'ratio', data: ratio },
    { name: 'whole', data: whole, encoding: 'BYTE_STREAM_SPLIT' },
    { name: 'color', data: color, type: 'STRING' },
    { name: 'flag', data: flag, type: 'BOOLEAN' },
    { name: 'id', data: id, type: 'STRING' },
  ];
  const { file, bytes } = writeParquet(tempDir(), 'mixed.parquet', { columnData, rowGroupSize: 1000 });
  assert.equal(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.length, 3);

  const table = await readParquet(file);
  assert.equal(table.rows, rows);
  assert.deepEqual(table.problems, []);
  assert.deepEqual(table.columns.map((read) => read.name), columnData.map((source) => source.name));
  const scoreColumn = column(table, 'score', 'numeric');
  assert.deepEqual(numbersOf(scoreColumn), score);
  assert.equal(scoreColumn.integer, false);
  const countColumn = column(table, 'count', 'numeric');
  assert.deepEqual(numbersOf(countColumn), Array.from(count));
  assert.equal(countColumn.integer, true);
  const ratioColumn = column(table, 'ratio', 'numeric');
  assert.deepEqual(numbersOf(ratioColumn), Array.from(ratio));
  assert.equal(ratioColumn.integer, false);
  const wholeColumn = column(table, 'whole', 'numeric');
  assert.deepEqual(numbersOf(wholeColumn), Array.from(whole));
  assert.equal(wholeColumn.integer, false, 'a float column of whole numbers stays float, as in pandas');
  const colorColumn = column(table, 'color', 'categorical');
  assert.deepEqual(labelsOf(colorColumn), color);
  assert.equal(new Set(colorColumn.dictionary).size, colorColumn.dictionary.length, 'one code per category across row groups');
  assert.deepEqual(labelsOf(column(table, 'flag', 'categorical')), flag.map((value) => (value === null ? null : value ? 'True' : 'False')));
  assert.deepEqual(labelsOf(column(table, 'id', 'categorical')), id);
});

test('integers of every width convert to numbers; 64-bit ones past 2^53 are reported once', async () => {
  const { file } = writeParquet(tempDir(), 'integers.pq', {
    schema: flatSchema(
      { name: 'tiny', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'INT_8' },
      { name: 'unsigned', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'UINT_32' },
      { name: 'big', type: 'INT64', repetition_type: 'OPTIONAL' },
      { name: 'safe', type: 'INT64', repetition_type: 'REQUIRED', converted_type: 'UINT_64' },
    ),
    columnData: [
      { name: 'tiny', data: Int32Array.from([-128, 0, 127, 5]) },
      { name: 'unsigned', data: [4294967295, 0, 1, 2] },
      { name: 'big', data: [1n, null, 2n ** 60n + 1n, -(2n ** 61n) - 7n] },
      { name: 'safe', data: BigInt64Array.from([0n, 1n, 2n ** 53n - 1n, 7n]) },
    ],
  });
  const table = await loadTable(file);
  assert.deepEqual(numbersOf(column(table, 'tiny', 'numeric')), [-128, 0, 127, 5]);
  assert.deepEqual(numbersOf(column(table, 'unsigned', 'numeric')), [4294967295, 0, 1, 2]);
  assert.deepEqual(numbersOf(column(table, 'big', 'numeric')), [1, null, 2 ** 60, -(2 ** 61)]);
  assert.deepEqual(numbersOf(column(table, 'safe', 'numeric')), [0, 1, Number.MAX_SAFE_INTEGER, 7]);
  assert.ok(table.columns.every((read) => read.kind === 'numeric' && read.integer));
  assert.equal(table.problems.length, 1);
  assert.match(table.problems[0]?.message ?? '', /^column "big": integers beyond 2\^53 \(the first in row 3\) lose precision/);
});

test('dates and timestamps in every unit read as epoch milliseconds, which drift over time windows', async () => {
  const times = ['2024-03-01T00:00:00.000Z', '2024-03-01T03:04:05.678Z', '2024-03-01T23:59:59.999Z', '2024-03-02T00:00:00.000Z', null];
  const milliseconds = times.map((time) => (time === null ? null : Date.parse(time)));
  const dates = times.map((time) => (time === null ? null : new Date(time)));
  const days = milliseconds.map((time) => (time === null ? null : Math.floor(time / 86_400_000)));
  const timestamp = (name: string, unit: 'MILLIS' | 'MICROS' | 'NANOS'): SchemaElement => ({ name, type: 'INT64', repetition_type: 'OPTIONAL', logical_type: { type: 'TIMESTAMP', unit, isAdjustedToUTC: true } });
  const { file } = writeParquet(tempDir(), 'times.parquet', {
    schema: flatSchema(
      { name: 'converted', type: 'INT64', repetition_type: 'OPTIONAL', converted_type: 'TIMESTAMP_MILLIS' },
      timestamp('millis', 'MILLIS'),
      timestamp('micros', 'MICROS'),
      timestamp('nanos', 'NANOS'),
      { name: 'day', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'DATE' },
      { name: 'dayLogical', type: 'INT32', repetition_type: 'OPTIONAL', logical_type: { type: 'DATE' } },
      { name: 'clock', type: 'INT64', repetition_type: 'OPTIONAL', logical_type: { type: 'TIME', unit: 'MICROS', isAdjustedToUTC: true } },
      { name: 'value', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    ),
    columnData: [
      { name: 'converted', data: dates },
      { name: 'millis', data: dates },
      { name: 'micros', data: dates },
      // Nanoseconds written as integers: the reader must not round them through a double.
      { name: 'nanos', data: milliseconds.map((time) => (time === null ? null : BigInt(time) * 1_000_000n)) },
      { name: 'day', data: dates },
      { name: 'dayLogical', data: days },
      { name: 'clock', data: [0n, 1_500n, 3_600_000_000n, null, 86_399_999_999n] },
      { name: 'value', data: Float64Array.from([1, 2, 3, 4, 5]) },
    ],
    rowGroupSize: 2,
  });
  const table = await readParquet(file);
  assert.deepEqual(table.problems, []);
  for (const name of ['converted', 'millis', 'micros', 'nanos']) {
    const read = column(table, name, 'numeric');
    assert.deepEqual(numbersOf(read), milliseconds, name);
    assert.equal(read.integer, false, name);
  }
  const midnights = days.map((day) => (day === null ? null : day * 86_400_000));
  assert.deepEqual(numbersOf(column(table, 'day', 'numeric')), midnights);
  assert.deepEqual(numbersOf(column(table, 'dayLogical', 'numeric')), midnights);
  assert.deepEqual(numbersOf(column(table, 'clock', 'numeric')), [0, 1.5, 3_600_000, null, 86_399_999.999]);

  const window = parseWindow('1d');
  assert.ok(window);
  const overTime = driftOverTime(table.columns, table.columns, window, { timeColumn: 'nanos' });
  assert.deepEqual(overTime.chunks.map((chunk) => [new Date(chunk.start).toISOString(), chunk.rows]), [['2024-03-01T00:00:00.000Z', 3], ['2024-03-02T00:00:00.000Z', 1]]);
  assert.equal(overTime.untimedRows, 1);
});

test('decimals and half floats are numbers, not integers', async () => {
  const { file } = writeParquet(tempDir(), 'decimals.parquet', {
    schema: flatSchema(
      { name: 'price', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 2, precision: 9 },
      { name: 'amount', type: 'INT64', repetition_type: 'OPTIONAL', logical_type: { type: 'DECIMAL', scale: 3, precision: 18 } },
      { name: 'wide', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 4, precision: 38 },
      { name: 'half', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2, repetition_type: 'OPTIONAL', logical_type: { type: 'FLOAT16' } },
    ),
    columnData: [
      { name: 'price', data: [123.45, -0.01, null] },
      { name: 'amount', data: [1500n, -2n, null] },
      { name: 'wide', data: [12345.6789, -1, null] },
      { name: 'half', data: [1.5, -0.25, null] },
    ],
  });
  const table = await readParquet(file);
  const expected: Record<string, Array<number | null>> = { price: [123.45, -0.01, null], amount: [1.5, -0.002, null], wide: [12345.6789, -1, null], half: [1.5, -0.25, null] };
  for (const [name, values] of Object.entries(expected)) {
    const read = column(table, name, 'numeric');
    assert.equal(read.integer, false, name);
    numbersOf(read).forEach((value, row) => {
      const want = values[row] ?? null;
      if (want === null) assert.equal(value, null, `${name}[${row}]`);
      else assert.ok(value !== null && Math.abs(value - want) <= 1e-12 * Math.abs(want), `${name}[${row}]: ${value} is not ${want}`);
    });
  }
});

test('every codec reads back the same table, pages of nulls included', async () => {
  const dir = tempDir();
  const random = seededRandom(5);
  const rows = 300;
  const columnData: ColumnSource[] = [
    { name: 'x', data: Float64Array.from({ length: rows }, () => random() * 100) },
    { name: 'k', data: Int32Array.from({ length: rows }, () => Math.floor(random() * 10)) },
    { name: 's', data: Array.from({ length: rows }, () => ['a', 'bb', 'ccc', 'dddd'][Math.floor(random() * 4)] as string), type: 'STRING' },
    // The last row group holds only nulls: its pages compress an empty run of values.
    { name: 'sparse', data: Array.from({ length: rows }, (_, row) => (row < 200 ? random() : null)), type: 'DOUBLE' },
  ];
  const compressors = { GZIP: (input: Uint8Array) => zlib.gzipSync(input), BROTLI: (input: Uint8Array) => zlib.brotliCompressSync(input), ZSTD: (input: Uint8Array) => zlib.zstdCompressSync(input), LZ4: lz4Literals, LZ4_RAW: lz4Literals };
  const baseline = await readParquet(writeParquet(dir, 'plain.parquet', { columnData, codec: 'UNCOMPRESSED', rowGroupSize: 100 }).file);
  assert.equal(baseline.rows, rows);
  assert.deepEqual(numbersOf(column(baseline, 'sparse', 'numeric')).slice(200), new Array(100).fill(null));
  for (const codec of ['SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW'] as const) {
    const { file, bytes } = writeParquet(dir, `${codec}.parquet`, { columnData, codec, compressors, rowGroupSize: 100 });
    const codecs = parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data?.codec));
    assert.deepEqual(new Set(codecs), new Set([codec]));
    assert.deepEqual(await readParquet(file), baseline, codec);
  }
});

test('nested columns are skipped with a problem naming them; the pandas index is left out', async () => {
  const { file } = writeParquet(tempDir(), 'nested.parquet', {
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'point', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'y', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: '__index_level_0__', type: 'INT64', repetition_type: 'REQUIRED' },
    ],
    columnData: [
      { name: 'id', data: Int32Array.from([1, 2, 3]) },
      { name: 'tags', data: [['a', 'b'], null, []] },
      { name: 'point', data: [{ x: 1, y: 2 }, null, { x: 3, y: 4 }] },
      { name: '__index_level_0__', data: BigInt64Array.from([10n, 20n, 30n]) },
    ],
    kvMetadata: [{ key: 'pandas', value: JSON.stringify({ index_columns: ['__index_level_0__'], columns: [] }) }],
  });
  const table = await readParquet(file);
  assert.deepEqual(table.columns.map((read) => read.name), ['id']);
  assert.deepEqual(numbersOf(column(table, 'id', 'numeric')), [1, 2, 3]);
  assert.deepEqual(table.problems.map((problem) => problem.message), ['column "tags": nested columns are not compared; skipped', 'column "point": nested columns are not compared; skipped']);
});

test('unreadable files fail with a message that names the file and says why', async () => {
  const dir = tempDir();
  const { bytes } = writeParquet(dir, 'good.parquet', { columnData: [{ name: 'x', data: Float64Array.from({ length: 50 }, (_, row) => row / 3) }, { name: 's', data: Array.from({ length: 50 }, (_, row) => `v${row % 4}`), type: 'STRING' }] });
  const write = (name: string, content: Uint8Array | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const failure = async (file: string) => {
    try {
      await loadTable(file);
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail(`${file} loaded`);
  };
  const escaped = (file: string) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const missing = path.join(dir, 'missing.parquet');
  assert.equal(await failure(missing), `${missing}: no such file`);
  const csv = write('data.parquet', 'a,b\n1,2\n');
  assert.match(await failure(csv), new RegExp(`^${escaped(csv)}: not a Parquet file`));
  const truncated = write('truncated.parquet', bytes.subarray(0, bytes.length - 20));
  assert.match(await failure(truncated), new RegExp(`^${escaped(truncated)}: a Parquet file without its footer`));
  const badFooter = bytes.slice();
  new DataView(badFooter.buffer).setUint32(badFooter.length - 8, 0x7fffffff, true);
  const footer = write('footer.parquet', badFooter);
  assert.match(await failure(footer), new RegExp(`^${escaped(footer)}: corrupt Parquet footer`));
  const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
  const chunk = metadata.row_groups[0]?.columns[1]?.meta_data;
  assert.ok(chunk);
  const chunkStart = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
  const badData = bytes.slice();
  badData.fill(0xff, chunkStart, chunkStart + Number(chunk.total_compressed_size));
  const data = write('data-corrupt.parquet', badData);
  assert.match(await failure(data), new RegExp(`^${escaped(data)}: cannot read column "s" in rows 1 to 50 \\(`));
  // The footer claims 51 rows where the pages hold 50: 0x16 0x64 is a compact-thrift i64 field holding 50 (zigzag 100).
  const overcounted = bytes.slice();
  const footerStart = bytes.length - 8 - new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  for (let offset = footerStart; offset < bytes.length - 8; offset++) {
    if (overcounted[offset] === 0x16 && overcounted[offset + 1] === 0x64) overcounted[offset + 1] = 0x66;
  }
  const short = write('short.parquet', overcounted);
  assert.match(await failure(short), new RegExp(`^${escaped(short)}: corrupt Parquet data: column "x" holds 50 values for rows 1 to 51$`));
  const lzo = writeParquet(dir, 'lzo.parquet', { columnData: [{ name: 'x', data: Float64Array.from([1, 2]) }], codec: 'LZO', compressors: { LZO: (input: Uint8Array) => input } }).file;
  assert.match(await failure(lzo), new RegExp(`^${escaped(lzo)}: column "x" is compressed with LZO, which MLTrail cannot read`));
  const encrypted = write('encrypted.parquet', Buffer.concat([Buffer.from('PARE'), Buffer.alloc(8), Buffer.from('PARE')]));
  assert.match(await failure(encrypted), /encrypted\.parquet: an encrypted Parquet file/);
});

test('loadTable still reads the text formats, now asynchronously', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'table.csv'), 'a,b\n1,x\n2,y\n');
  fs.writeFileSync(path.join(dir, 'table.jsonl'), '{"a":1}\n{"a":2.5}\n');
  const csv = await loadTable(path.join(dir, 'table.csv'));
  assert.deepEqual(numbersOf(column(csv, 'a', 'numeric')), [1, 2]);
  assert.deepEqual(labelsOf(column(csv, 'b', 'categorical')), ['x', 'y']);
  assert.deepEqual(numbersOf(column(await loadTable(path.join(dir, 'table.jsonl')), 'a', 'numeric')), [1, 2.5]);
  await assert.rejects(loadTable(path.join(dir, 'table.xlsx')), /table\.xlsx: cannot read \.xlsx yet; MLTrail reads .*\.parquet, \.pq/);
});
