import { type Binning, type Category, type ColumnSamples, type ColumnType, type DriftMethod, INTEGER_CATEGORY_LIMIT, METHODS, autoMethod, driftTest, isDrift, scoreOf } from './columnDrift.ts';
import { benjaminiHochberg, bonferroni } from './stats/corrections.ts';
import type { Column } from './table/csv.ts';

export interface ColumnOptions {
  method?: DriftMethod | 'auto';
  threshold?: number;
  type?: ColumnType;
}

export interface DriftOptions extends ColumnOptions {
  /** Options of single columns, by name. */
  columnOptions?: Record<string, ColumnOptions>;
  /** Only these columns (all that both tables have, by default). */
  only?: readonly string[];
  binning?: Binning;
  /** Across the columns whose method is a test: adjust their p-values before comparing with the threshold. */
  correction?: 'none' | 'bonferroni' | 'benjamini-hochberg';
  /** The dataset drifts when at least this share of its columns do (Evidently: 0.5). */
  driftShare?: number;
}

export interface ColumnResult {
  name: string;
  type: ColumnType;
  method: DriftMethod;
  /** The test statistic, or the distance. */
  statistic: number;
  /** Tests only; corrected when a correction was asked for. */
  pValue?: number;
  /** Compared with the p-value for tests, with the statistic for distances. */
  threshold: number;
  drift: boolean;
  reference: { values: number; missing: number; infinite: number };
  current: { values: number; missing: number; infinite: number };
}

export interface SkippedColumn {
  name: string;
  reason: string;
}

export interface DatasetDrift {
  columns: ColumnResult[];
  skipped: SkippedColumn[];
  drifted: number;
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

interface Side {
  values: Category[] | Float64Array;
  missing: number;
  infinite: number;
}

/** A column's present values: NaN and missing categories dropped, infinities dropped and counted apart. */
function present(column: Column, asText: boolean): Side {
  if (column.kind === 'categorical') {
    const values: Category[] = [];
    let missing = 0;
    for (const code of column.codes) {
      if (code < 0) missing++;
      else values.push(column.dictionary[code] as string);
    }
    return { values, missing, infinite: 0 };
  }
  const finite: number[] = [];
  let missing = 0;
  let infinite = 0;
  for (const value of column.values) {
    if (Number.isNaN(value)) missing++;
    else if (!Number.isFinite(value)) infinite++;
    else finite.push(value);
  }
  return { values: asText ? finite.map(String) : Float64Array.from(finite), missing, infinite };
}

function distinctAtMost(limit: number, ...samples: ArrayLike<number>[]): boolean {
  const seen = new Set<number>();
  for (const sample of samples) {
    for (let index = 0; index < sample.length; index++) {
      seen.add(sample[index] as number);
      if (seen.size > limit) return false;
    }
  }
  return true;
}

/** Evidently's typing: text is categorical; integers with at most 10 distinct values are categorical; else numerical. */
function samplesOf(reference: Column, current: Column, type: ColumnType | undefined): { samples: ColumnSamples; reference: Side; current: Side } {
  const text = reference.kind === 'categorical' || current.kind === 'categorical';
  const referenceSide = present(reference, text);
  const currentSide = present(current, text);
  if (text) return { samples: { type: 'categorical', reference: referenceSide.values as Category[], current: currentSide.values as Category[] }, reference: referenceSide, current: currentSide };
  const referenceValues = referenceSide.values as Float64Array;
  const currentValues = currentSide.values as Float64Array;
  const integer = reference.kind === 'numeric' && current.kind === 'numeric' && reference.integer && current.integer;
  const inferred: ColumnType = integer && distinctAtMost(INTEGER_CATEGORY_LIMIT, referenceValues, currentValues) ? 'categorical' : 'numerical';
  const chosen = type ?? inferred;
  const samples: ColumnSamples = chosen === 'numerical' ? { type: 'numerical', reference: referenceValues, current: currentValues } : { type: 'categorical', reference: Array.from(referenceValues), current: Array.from(currentValues) };
  return { samples, reference: referenceSide, current: currentSide };
}

/** Compares the columns two tables share by name, each with its method, then decides on the dataset. */
export function datasetDrift(reference: readonly Column[], current: readonly Column[], options: DriftOptions = {}): DatasetDrift {
  const currentByName = new Map(current.map((column) => [column.name, column]));
  const results: ColumnResult[] = [];
  const skipped: SkippedColumn[] = [];
  const wanted = options.only ? new Set(options.only) : undefined;
  for (const name of options.only ?? []) {
    if (!reference.some((column) => column.name === name) && !current.some((column) => column.name === name)) skipped.push({ name: name, reason: 'in neither table' });
  }
  for (const referenceColumn of reference) {
    if (wanted && !wanted.has(referenceColumn.name)) continue;
    const currentColumn = currentByName.get(referenceColumn.name);
    if (!currentColumn) {
      skipped.push({ name: referenceColumn.name, reason: 'not in the current data' });
      continue;
    }
    const columnOptions = { ...options, ...Object.getOwnPropertyDescriptor(options.columnOptions ?? {}, referenceColumn.name)?.value } as ColumnOptions;
    const { samples, reference: referenceSide, current: currentSide } = samplesOf(referenceColumn, currentColumn, columnOptions.type);
    if (samples.reference.length === 0 || samples.current.length === 0) {
      skipped.push({ name: referenceColumn.name, reason: `no values left in the ${samples.reference.length === 0 ? 'reference' : 'current'} data once missing values are dropped` });
      continue;
    }
    const method = !columnOptions.method || columnOptions.method === 'auto' ? autoMethod(samples) : columnOptions.method;
    if (samples.type === 'categorical' && (method === 'ks' || method === 'wasserstein')) {
      skipped.push({ name: referenceColumn.name, reason: `${method} compares numbers; this column is categorical` });
      continue;
    }
    const threshold = columnOptions.threshold ?? METHODS[method].threshold;
    const test = driftTest(method, samples, options.binning);
    const count = (side: Side) => ({ values: side.values.length, missing: side.missing, infinite: side.infinite });
    results.push({ name: referenceColumn.name, type: samples.type, method, ...test, threshold, drift: isDrift(method, scoreOf(method, test), threshold), reference: count(referenceSide), current: count(currentSide) });
  }
  for (const column of current) {
    if (wanted && !wanted.has(column.name)) continue;
    if (!reference.some((candidate) => candidate.name === column.name)) skipped.push({ name: column.name, reason: 'not in the reference data' });
  }
  applyCorrection(results, options.correction ?? 'none');
  const drifted = results.filter((result) => result.drift).length;
  const share = results.length === 0 ? 0 : drifted / results.length;
  const driftShare = options.driftShare ?? 0.5;
  return { columns: results, skipped, drifted, share, driftShare, datasetDrift: results.length > 0 && share >= driftShare };
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
