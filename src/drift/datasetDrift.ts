import { isDrift } from './columnDrift.ts';
import type { ColumnDetail } from './columnDetail.ts';
import { type ColumnCompareOptions, type ColumnComparison, compareColumn } from './compareColumn.ts';
import type { ColumnOptions, ColumnResult, DatasetDrift, DriftOptions, SkippedColumn } from './reportModel.ts';
import { type PreparedColumn, prepareColumn } from './preparedColumn.ts';
import { benjaminiHochberg, bonferroni } from './stats/corrections.ts';
import type { Column } from './table/csv.ts';

export type { ColumnOptions, ColumnResult, DatasetDrift, DriftOptions, SkippedColumn } from './reportModel.ts';

/** Which columns to compare (by name, in the reference's order), and which to skip with the reason. */
export interface ColumnPlan {
  compared: string[];
  skipped: SkippedColumn[];
  /** Every column named, in the order results and skips are reported. */
  order: string[];
}

export function planColumns(referenceNames: readonly string[], currentNames: readonly string[], options: DriftOptions = {}): ColumnPlan {
  const wanted = options.only ? new Set(options.only) : undefined;
  const inCurrent = new Set(currentNames);
  const inReference = new Set(referenceNames);
  const skipped: SkippedColumn[] = [];
  for (const name of options.only ?? []) {
    if (!inReference.has(name) && !inCurrent.has(name)) skipped.push({ name, reason: 'in neither table' });
  }
  const compared: string[] = [];
  for (const name of referenceNames) {
    if (wanted && !wanted.has(name)) continue;
    if (inCurrent.has(name)) compared.push(name);
    else skipped.push({ name, reason: 'not in the current data' });
  }
  for (const name of currentNames) {
    if (wanted && !wanted.has(name)) continue;
    if (!inReference.has(name)) skipped.push({ name, reason: 'not in the reference data' });
  }
  const order = [...(options.only ?? []).filter((name) => !inReference.has(name) && !inCurrent.has(name)), ...referenceNames, ...currentNames];
  return { compared, skipped, order: [...new Set(order)] };
}

/** A column's options: the table-wide ones, overridden by the column's own. */
export function columnOptionsFor(name: string, options: DriftOptions, details = false): ColumnCompareOptions {
  const own = Object.getOwnPropertyDescriptor(options.columnOptions ?? {}, name)?.value as ColumnOptions | undefined;
  const merged: ColumnCompareOptions = { details };
  for (const source of [options, own ?? {}]) {
    if (source.method !== undefined) merged.method = source.method;
    if (source.threshold !== undefined) merged.threshold = source.threshold;
    if (source.type !== undefined) merged.type = source.type;
  }
  if (options.binning !== undefined) merged.binning = options.binning;
  return merged;
}

export function prepareTable(columns: readonly Column[], names?: ReadonlySet<string>): PreparedColumn[] {
  return columns.filter((column) => !names || names.has(column.name)).map((column) => prepareColumn(column));
}

/** Corrects the tests' p-values across columns, then decides on the dataset. Results keep the plan's order. */
export function summarizeDrift(plan: ColumnPlan, comparisons: ReadonlyMap<string, ColumnComparison>, options: DriftOptions = {}): DatasetDrift {
  const columns: ColumnResult[] = [];
  const skipped = [...plan.skipped];
  for (const name of plan.compared) {
    const comparison = comparisons.get(name);
    if (!comparison) continue;
    if ('skipped' in comparison) skipped.push(comparison.skipped);
    else columns.push({ ...comparison.result });
  }
  const rank = new Map(plan.order.map((name, index) => [name, index]));
  skipped.sort((a, b) => (rank.get(a.name) ?? 0) - (rank.get(b.name) ?? 0));
  applyCorrection(columns, options.correction ?? 'none');
  const drifted = columns.filter((result) => result.drift).length;
  const share = columns.length === 0 ? 0 : drifted / columns.length;
  const driftShare = options.driftShare ?? 0.5;
  return { columns, skipped, drifted, share, driftShare, datasetDrift: columns.length > 0 && share >= driftShare };
}

export interface ComparedTables {
  drift: DatasetDrift;
  details: Record<string, ColumnDetail>;
}

/** Compares prepared tables column by column on this thread. */
export function compareTables(reference: readonly PreparedColumn[], current: readonly PreparedColumn[], options: DriftOptions = {}, details = false): ComparedTables {
  const plan = planColumns(reference.map((column) => column.name), current.map((column) => column.name), options);
  const referenceByName = new Map(reference.map((column) => [column.name, column]));
  const currentByName = new Map(current.map((column) => [column.name, column]));
  const comparisons = new Map<string, ColumnComparison>();
  const detailByName: Record<string, ColumnDetail> = {};
  for (const name of plan.compared) {
    const comparison = compareColumn(referenceByName.get(name) as PreparedColumn, currentByName.get(name) as PreparedColumn, columnOptionsFor(name, options, details));
    comparisons.set(name, comparison);
    if ('detail' in comparison && comparison.detail) detailByName[name] = comparison.detail;
  }
  return { drift: summarizeDrift(plan, comparisons, options), details: detailByName };
}

/** Compares the columns two tables share by name, each with its method, then decides on the dataset. */
export function datasetDrift(reference: readonly Column[], current: readonly Column[], options: DriftOptions = {}): DatasetDrift {
  const names = options.only ? new Set(options.only) : undefined;
  return compareTables(prepareTable(reference, names), prepareTable(current, names), options).drift;
}

function applyCorrection(results: ColumnResult[], correction: NonNullable<DriftOptions['correction']>): void {
  if (correction === 'none') return;
  const tests = results.filter((result) => result.pValue !== undefined);
  const adjusted = (correction === 'bonferroni' ? bonferroni : benjaminiHochberg)(tests.map((result) => result.pValue as number));
  tests.forEach((result, index) => {
    result.pValue = adjusted[index] as number;
    result.drift = isDrift(result.method, result.pValue, result.threshold);
  });
}
