import { type Binning, type Category, type ColumnType, type DriftMethod, INTEGER_CATEGORY_LIMIT, METHODS, type TestResult, isDrift, scoreOf } from './columnDrift.ts';
import { type BinnedCounts, type CategoryTable, type ColumnDetail, categoricalDetail, numericalDetail } from './columnDetail.ts';
import type { ColumnResult, SideCounts, SkippedColumn } from './reportModel.ts';

export type { ColumnResult, SideCounts, SkippedColumn } from './reportModel.ts';
import { type PreparedColumn, type PreparedNumeric, distinctSortedUpTo, presentCount, valueCounts } from './preparedColumn.ts';
import { histogramCountsSorted, quantileEdgesSorted, sturgesEdgesOf } from './stats/binning.ts';
import { chiSquareContingency, evidentlyChiSquare } from './stats/chiSquare.ts';
import { hellingerDistance, jensenShannonDistance, lInfinityDistance, populationStabilityIndex } from './stats/distances.ts';
import { ksPValue, scanSorted } from './stats/ks.ts';
import { twoProportionZTest } from './stats/normal.ts';
import { wassersteinNormedFromDistance } from './stats/wasserstein.ts';

export interface ColumnCompareOptions {
  method?: DriftMethod | 'auto';
  threshold?: number;
  type?: ColumnType;
  binning?: Binning;
  /** Also compute what a drill-down shows (histograms, ECDFs, contributions, every method's score). */
  details?: boolean;
}

export type ColumnComparison = { result: ColumnResult; detail?: ColumnDetail } | { skipped: SkippedColumn };

const SMALL_REFERENCE = 1000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Text that is all ISO 8601 dates or times: a timestamp column, which Evidently does not compare as a feature. */
function isDateTimeColumn(column: PreparedColumn): boolean {
  return column.kind === 'categorical' && column.categories.length > 0 && column.categories.every((category) => ISO_DATE_TIME.test(category));
}
const FEW_VALUES = 5;
const BINNED_MIN_DISTINCT = 20;

function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function categoryTable(reference: Map<Category, number>, current: Map<Category, number>): CategoryTable {
  const categories = [...new Set([...reference.keys(), ...current.keys()])].sort(compareCategories);
  return { categories, reference: categories.map((key) => reference.get(key) ?? 0), current: categories.map((key) => current.get(key) ?? 0) };
}

/** A side's categories: text as is; numbers by value, or as their text when the other side is text. */
function categoriesOf(column: PreparedColumn, asText: boolean): Map<Category, number> {
  if (column.kind === 'categorical') return new Map(column.categories.map((category, index) => [category, column.counts[index] as number]));
  const counts = valueCounts(column.sorted);
  if (!asText) return counts;
  const text = new Map<Category, number>();
  for (const [value, count] of counts) text.set(String(value), (text.get(String(value)) ?? 0) + count);
  return text;
}

type Sides = { type: 'numerical'; reference: PreparedNumeric; current: PreparedNumeric } | { type: 'categorical'; table: CategoryTable };

/** Evidently's typing: text is categorical; integers with at most 10 distinct values are categorical; else numerical. */
function typedSides(reference: PreparedColumn, current: PreparedColumn, type: ColumnType | undefined): Sides {
  if (reference.kind === 'categorical' || current.kind === 'categorical') {
    return { type: 'categorical', table: categoryTable(categoriesOf(reference, true), categoriesOf(current, true)) };
  }
  const integer = reference.integer && current.integer;
  const inferred: ColumnType = integer && distinctSortedUpTo(INTEGER_CATEGORY_LIMIT, reference.sorted, current.sorted) <= INTEGER_CATEGORY_LIMIT ? 'categorical' : 'numerical';
  if ((type ?? inferred) === 'numerical') return { type: 'numerical', reference, current };
  return { type: 'categorical', table: categoryTable(categoriesOf(reference, false), categoriesOf(current, false)) };
}

function autoMethod(sides: Sides, referenceCount: number): DriftMethod {
  const distinct = sides.type === 'numerical' ? distinctSortedUpTo(FEW_VALUES, sides.reference.sorted, sides.current.sorted) : sides.table.categories.length;
  if (referenceCount <= SMALL_REFERENCE) {
    if (sides.type === 'numerical' && distinct > FEW_VALUES) return 'ks';
    return distinct > 2 ? 'chisquare' : 'ztest';
  }
  if (sides.type === 'numerical' && distinct > FEW_VALUES) return 'wasserstein';
  return 'jensenshannon';
}

function binned(sides: Sides, binning: Binning): BinnedCounts {
  if (sides.type === 'numerical' && distinctSortedUpTo(BINNED_MIN_DISTINCT, sides.reference.sorted) > BINNED_MIN_DISTINCT) {
    const { reference, current } = sides;
    const edges = binning === 'sturges' ? sturgesEdgesOf(Math.min(reference.sorted[0] as number, current.sorted[0] as number), Math.max(reference.sorted.at(-1) as number, current.sorted.at(-1) as number), reference.sorted.length + current.sorted.length) : quantileEdgesSorted(reference.sorted, binning.quantiles);
    const labels = edges.slice(0, -1).map((edge, index) => `[${edge}, ${edges[index + 1]}${index === edges.length - 2 ? ']' : ')'}`);
    return { reference: histogramCountsSorted(reference.sorted, edges), current: histogramCountsSorted(current.sorted, edges), labels, edges };
  }
  const table = sides.type === 'categorical' ? sides.table : categoryTable(valueCounts(sides.reference.sorted), valueCounts(sides.current.sorted));
  return { reference: table.reference, current: table.current, labels: table.categories.map(String) };
}

function byValue(sides: Sides): CategoryTable {
  return sides.type === 'categorical' ? sides.table : categoryTable(valueCounts(sides.reference.sorted), valueCounts(sides.current.sorted));
}

/** Computes methods on one column, sharing the sorted arrays, the scan and the bins between them. */
class ColumnTests {
  private scan?: ReturnType<typeof scanSorted>;
  private bins?: BinnedCounts;
  readonly sides: Sides;
  private readonly binning: Binning;

  constructor(sides: Sides, binning: Binning) {
    this.sides = sides;
    this.binning = binning;
  }

  sortedScan(): ReturnType<typeof scanSorted> {
    if (this.sides.type !== 'numerical') throw new RangeError('numbers only');
    return (this.scan ??= scanSorted(this.sides.reference.sorted, this.sides.current.sorted));
  }

  binnedCounts(): BinnedCounts {
    return (this.bins ??= binned(this.sides, this.binning));
  }

  run(method: DriftMethod): TestResult {
    const { sides } = this;
    switch (method) {
      case 'ks':
      case 'wasserstein': {
        if (sides.type !== 'numerical') throw new RangeError(`${method} compares numbers; this column is categorical`);
        const scan = this.sortedScan();
        if (method === 'wasserstein') return { statistic: wassersteinNormedFromDistance(scan.wasserstein, sides.reference.std) };
        const { statistic, pValue } = ksPValue(scan.ksStatistic, sides.reference.sorted.length, sides.current.sorted.length);
        return { statistic, pValue };
      }
      case 'chisquare': {
        const table = byValue(sides);
        const asRecord = (values: number[]) => new Map(table.categories.map((category, index) => [String(category), values[index] as number]));
        const { statistic, pValue } = evidentlyChiSquare(asRecord(table.reference), asRecord(table.current));
        return { statistic, pValue };
      }
      case 'chi2contingency': {
        const counts = this.binnedCounts();
        const { statistic, pValue } = chiSquareContingency([counts.reference, counts.current]);
        return { statistic, pValue };
      }
      case 'ztest': {
        const table = byValue(sides);
        const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
        const referenceTotal = total(table.reference);
        const currentTotal = total(table.current);
        // Evidently's indicator: "is not the first category" in sorted order.
        return twoProportionZTest(referenceTotal - (table.reference[0] ?? 0), referenceTotal, currentTotal - (table.current[0] ?? 0), currentTotal);
      }
      case 'jensenshannon':
      case 'psi':
      case 'hellinger':
      case 'linf': {
        const counts = this.binnedCounts();
        const distance = { jensenshannon: jensenShannonDistance, psi: populationStabilityIndex, hellinger: hellingerDistance, linf: lInfinityDistance }[method];
        return { statistic: distance(counts.reference, counts.current) };
      }
    }
  }
}

/** The methods a drill-down shows side by side, by column type. */
const DETAIL_METHODS: Record<ColumnType, DriftMethod[]> = { numerical: ['ks', 'wasserstein', 'psi', 'jensenshannon'], categorical: ['chisquare', 'jensenshannon', 'psi'] };

function sideCounts(column: PreparedColumn): SideCounts {
  return { values: presentCount(column), missing: column.missing, infinite: column.kind === 'numeric' ? column.infinite : 0 };
}

/** Compares one column of both tables with its method (Evidently's choice under `auto`). */
export function compareColumn(reference: PreparedColumn, current: PreparedColumn, options: ColumnCompareOptions = {}): ColumnComparison {
  const name = reference.name;
  const referenceCount = presentCount(reference);
  const currentCount = presentCount(current);
  if (referenceCount === 0 || currentCount === 0) {
    return { skipped: { name, reason: `no values left in the ${referenceCount === 0 ? 'reference' : 'current'} data once missing values are dropped` } };
  }
  if (options.type === undefined && isDateTimeColumn(reference) && isDateTimeColumn(current)) {
    return { skipped: { name, reason: 'dates and times are not compared as a feature (use the column for drift over time)' } };
  }
  const sides = typedSides(reference, current, options.type);
  const method = !options.method || options.method === 'auto' ? autoMethod(sides, referenceCount) : options.method;
  if (sides.type === 'categorical' && (method === 'ks' || method === 'wasserstein')) {
    return { skipped: { name, reason: `${method} compares numbers; this column is categorical` } };
  }
  const tests = new ColumnTests(sides, options.binning ?? 'sturges');
  const test = tests.run(method);
  const threshold = options.threshold ?? METHODS[method].threshold;
  const result: ColumnResult = { name, type: sides.type, method, ...test, threshold, drift: isDrift(method, scoreOf(method, test), threshold), reference: sideCounts(reference), current: sideCounts(current) };
  if (!options.details) return { result };
  const scores: Record<string, TestResult> = {};
  for (const other of DETAIL_METHODS[sides.type]) scores[other] = other === method ? test : tests.run(other);
  const bins = tests.binnedCounts();
  const detail = sides.type === 'numerical' ? numericalDetail(sides.reference.sorted, sides.current.sorted, tests.sortedScan(), bins, scores) : categoricalDetail(sides.table, bins, scores);
  return { result, detail };
}
