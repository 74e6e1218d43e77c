import { METHODS, scoreOf } from './columnDrift.ts';
import { compareTables, prepareTable } from './datasetDrift.ts';
import type { ChunkWindow, DatasetDrift, DriftOptions, DriftOverTime } from './reportModel.ts';

export type { Chunk, ChunkBaseline, ChunkWindow, DriftOverTime } from './reportModel.ts';
import type { Column } from './table/csv.ts';


/** Times of a column: numbers as epoch seconds (below 1e11) or milliseconds, text as ISO 8601; NaN when unreadable. */
function timesOf(column: Column): Float64Array {
  if (column.kind === 'numeric') return column.values.map((value) => (Math.abs(value) < 1e11 ? value * 1000 : value));
  const parsed = column.dictionary.map((text) => Date.parse(text));
  return Float64Array.from(column.codes, (code) => (code < 0 ? Number.NaN : (parsed[code] as number)));
}

function rowsOf(column: Column, indexes: readonly number[]): Column {
  if (column.kind === 'numeric') return { ...column, values: Float64Array.from(indexes, (index) => column.values[index] as number) };
  return { ...column, codes: Int32Array.from(indexes, (index) => column.codes[index] as number) };
}

/** Row indexes of each chunk, in order. */
function chunkRows(columns: readonly Column[], rowCount: number, window: ChunkWindow, timeColumn: string | undefined): { chunks: Array<{ start: number; end: number; indexes: number[] }>; untimed: number } {
  if ('rows' in window) {
    const chunks = [];
    for (let start = 0; start < rowCount; start += window.rows) {
      const end = Math.min(rowCount, start + window.rows);
      chunks.push({ start, end: end - 1, indexes: Array.from({ length: end - start }, (_, offset) => start + offset) });
    }
    return { chunks, untimed: 0 };
  }
  const column = columns.find((candidate) => candidate.name === timeColumn);
  if (!column) throw new Error(`no time column "${timeColumn}" in the data`);
  const times = timesOf(column);
  const byWindow = new Map<number, number[]>();
  let untimed = 0;
  times.forEach((time, index) => {
    if (!Number.isFinite(time)) {
      untimed++;
      return;
    }
    const start = Math.floor(time / window.milliseconds) * window.milliseconds;
    const rows = byWindow.get(start);
    if (rows) rows.push(index);
    else byWindow.set(start, [index]);
  });
  const chunks = [...byWindow.entries()].sort((a, b) => a[0] - b[0]).map(([start, indexes]) => ({ start, end: start + window.milliseconds, indexes }));
  return { chunks, untimed };
}

function rowCountOf(columns: readonly Column[]): number {
  const first = columns[0];
  return !first ? 0 : first.kind === 'numeric' ? first.values.length : first.codes.length;
}

/**
 * Splits the current data into chunks (by time window or row count) and tests each against the whole reference.
 * A chunk's columns drift by their method's threshold; with `baseline: 'chunks'` the reference is chunked the same
 * way and a column drifts where its score passes the reference chunks' mean by three standard deviations
 * (NannyML's rule).
 */
export function driftOverTime(reference: readonly Column[], current: readonly Column[], window: ChunkWindow, options: DriftOptions & { timeColumn?: string; baseline?: 'threshold' | 'chunks' } = {}): DriftOverTime {
  const withoutTime = (columns: readonly Column[]) => columns.filter((column) => column.name !== options.timeColumn);
  const wanted = options.only ? new Set(options.only) : undefined;
  const preparedReference = prepareTable(withoutTime(reference), wanted);
  const againstReference = (columns: Column[]): DatasetDrift => compareTables(preparedReference, prepareTable(columns, wanted), options).drift;
  const { chunks, untimed } = chunkRows(current, rowCountOf(current), window, options.timeColumn);
  const result: DriftOverTime = {
    window,
    untimedRows: untimed,
    chunks: chunks.map((chunk) => ({ start: chunk.start, end: chunk.end, rows: chunk.indexes.length, result: againstReference(withoutTime(current).map((column) => rowsOf(column, chunk.indexes))) })),
  };
  if (options.baseline !== 'chunks') return result;
  const referenceChunks = chunkRows(reference, rowCountOf(reference), window, options.timeColumn).chunks;
  const scores = new Map<string, number[]>();
  for (const chunk of referenceChunks) {
    const own = againstReference(withoutTime(reference).map((column) => rowsOf(column, chunk.indexes)));
    for (const column of own.columns) scores.set(column.name, [...(scores.get(column.name) ?? []), scoreOf(column.method, column)]);
  }
  result.baseline = [...scores.entries()].map(([column, values]) => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    const method = result.chunks[0]?.result.columns.find((candidate) => candidate.name === column)?.method;
    const upward = !method || METHODS[method].score === 'distance';
    return { column, mean, std, bound: upward ? mean + 3 * std : mean - 3 * std };
  });
  const bounds = new Map(result.baseline.map((baseline) => [baseline.column, baseline]));
  for (const chunk of result.chunks) {
    for (const column of chunk.result.columns) {
      const baseline = bounds.get(column.name);
      if (!baseline) continue;
      const score = scoreOf(column.method, column);
      column.threshold = baseline.bound;
      column.drift = METHODS[column.method].score === 'distance' ? score > baseline.bound : score < baseline.bound;
    }
    chunk.result.drifted = chunk.result.columns.filter((column) => column.drift).length;
    chunk.result.share = chunk.result.columns.length === 0 ? 0 : chunk.result.drifted / chunk.result.columns.length;
    chunk.result.datasetDrift = chunk.result.columns.length > 0 && chunk.result.share >= chunk.result.driftShare;
  }
  return result;
}
