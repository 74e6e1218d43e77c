import type { ColumnCompareOptions, ColumnComparison } from './compareColumn.ts';
import type { DriftOptions } from './datasetDrift.ts';
import { type ChunkWindow, type DriftOverTime, driftOverTime } from './overTime.ts';
import { type PreparedColumn, prepareColumn } from './preparedColumn.ts';
import { compareColumn } from './compareColumn.ts';
import type { CsvProblem } from './table/csv.ts';
import { loadTable } from './table/loadTable.ts';
import { releaseBuffer } from '../platform/releaseBuffer.ts';

/** What a drift job does on a worker thread (or inline): read and prepare one table, compare one column, or chunk over time. */
export interface PreparedTable {
  file: string;
  rows: number;
  /** Every column's name, in the file's order, prepared or not. */
  names: string[];
  columns: PreparedColumn[];
  problems: CsvProblem[];
}

export interface OverTimeRequest {
  reference: string;
  current: string;
  window: ChunkWindow;
  options: DriftOptions & { timeColumn?: string; baseline?: 'threshold' | 'chunks' };
}

/** `shared`: when the table goes to other threads, its sorted columns live in shared memory (no copy per comparison). */
export async function prepareFile(file: string, wanted: readonly string[] | undefined, shared = false): Promise<PreparedTable> {
  const table = await loadTable(file);
  if (table.rows === 0) throw new Error(`${file}: no data rows`);
  const names = table.columns.map((column) => column.name);
  const keep = wanted ? new Set(wanted) : undefined;
  const columns: PreparedColumn[] = [];
  for (let index = 0; index < table.columns.length; index++) {
    const column = table.columns[index]!;
    if (!keep || keep.has(column.name)) columns.push(prepareColumn(column, shared));
    // Let the raw column go as soon as it is prepared: a big table's memory is mostly these arrays.
    (table.columns as unknown[])[index] = undefined;
    releaseBuffer(column.kind === 'numeric' ? column.values : column.codes);
  }
  return { file, rows: table.rows, names, columns, problems: table.problems };
}

export function compareOne(reference: PreparedColumn, current: PreparedColumn, options: ColumnCompareOptions): ColumnComparison {
  return compareColumn(reference, current, options);
}

export async function overTimeOf(request: OverTimeRequest): Promise<DriftOverTime> {
  const [reference, current] = await Promise.all([loadTable(request.reference), loadTable(request.current)]);
  try {
    return driftOverTime(reference.columns, current.columns, request.window, request.options);
  } catch (error) {
    throw new Error(`${request.current}: ${(error as Error).message}`);
  }
}
