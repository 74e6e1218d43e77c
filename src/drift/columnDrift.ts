import { histogramCounts, quantileEdges, sturgesEdges } from './stats/binning.ts';
import { chiSquareContingency, evidentlyChiSquare } from './stats/chiSquare.ts';
import { hellingerDistance, jensenShannonDistance, lInfinityDistance, populationStabilityIndex } from './stats/distances.ts';
import { ks2Samp } from './stats/ks.ts';
import { twoProportionZTest } from './stats/normal.ts';
import { wassersteinNormed } from './stats/wasserstein.ts';

/** How a column is compared: as numbers, or as categories. */
export type ColumnType = 'numerical' | 'categorical';

export type DriftMethod = 'ks' | 'wasserstein' | 'chisquare' | 'chi2contingency' | 'ztest' | 'jensenshannon' | 'psi' | 'hellinger' | 'linf';

/** A category is a string, or a number when an integer column is compared as categories. */
export type Category = string | number;

/** One column of both tables, with missing values and infinities already dropped (and counted by the caller). */
export type ColumnSamples = { type: 'numerical'; reference: Float64Array; current: Float64Array } | { type: 'categorical'; reference: readonly Category[]; current: readonly Category[] };

export type Binning = 'sturges' | { quantiles: number };

interface MethodSpec {
  /** A p-value (drift when small) or a distance (drift when large). */
  score: 'pValue' | 'distance';
  threshold: number;
  /** Evidently compares KS p-values with <=, the other tests with <. */
  inclusive?: boolean;
}

/** Evidently's defaults: 0.05 for tests, 0.1 for distances (L-infinity has none there; 0.1 here). */
export const METHODS: Record<DriftMethod, MethodSpec> = {
  ks: { score: 'pValue', threshold: 0.05, inclusive: true },
  chisquare: { score: 'pValue', threshold: 0.05 },
  chi2contingency: { score: 'pValue', threshold: 0.05 },
  ztest: { score: 'pValue', threshold: 0.05 },
  wasserstein: { score: 'distance', threshold: 0.1 },
  jensenshannon: { score: 'distance', threshold: 0.1 },
  psi: { score: 'distance', threshold: 0.1 },
  hellinger: { score: 'distance', threshold: 0.1 },
  linf: { score: 'distance', threshold: 0.1 },
};

/** Evidently's integer columns with at most this many distinct values are categorical. */
export const INTEGER_CATEGORY_LIMIT = 10;
const SMALL_REFERENCE = 1000;
const FEW_VALUES = 5;
const BINNED_MIN_DISTINCT = 20;

function distinctCount(...samples: ArrayLike<Category>[]): number {
  const values = new Set<Category>();
  for (const sample of samples) for (let index = 0; index < sample.length; index++) values.add(sample[index] as Category);
  return values.size;
}

/** Evidently's default test: by the reference's size (after dropping missing values) and the distinct values of both. */
export function autoMethod(samples: ColumnSamples): DriftMethod {
  const distinct = distinctCount(samples.reference, samples.current);
  if (samples.reference.length <= SMALL_REFERENCE) {
    if (samples.type === 'numerical' && distinct > FEW_VALUES) return 'ks';
    return distinct > 2 ? 'chisquare' : 'ztest';
  }
  if (samples.type === 'numerical' && distinct > FEW_VALUES) return 'wasserstein';
  return 'jensenshannon';
}

/** Counts of each category in both samples, over the union of categories, in sorted order. */
export function categoryCounts(reference: ArrayLike<Category>, current: ArrayLike<Category>): { categories: Category[]; reference: number[]; current: number[] } {
  const counts = new Map<Category, [number, number]>();
  const add = (sample: ArrayLike<Category>, side: 0 | 1) => {
    for (let index = 0; index < sample.length; index++) {
      const key = sample[index] as Category;
      let entry = counts.get(key);
      if (!entry) counts.set(key, (entry = [0, 0]));
      entry[side] += 1;
    }
  };
  add(reference, 0);
  add(current, 1);
  const categories = [...counts.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return { categories, reference: categories.map((key) => (counts.get(key) as [number, number])[0]), current: categories.map((key) => (counts.get(key) as [number, number])[1]) };
}

/**
 * The two distributions distance methods compare, as Evidently bins them: numerical columns with more than 20
 * distinct reference values in Sturges bins over both samples (or reference quantiles), anything else by value.
 */
export function binnedCounts(samples: ColumnSamples, binning: Binning = 'sturges'): { reference: number[]; current: number[]; labels: string[] } {
  if (samples.type === 'numerical' && distinctCount(samples.reference) > BINNED_MIN_DISTINCT) {
    const edges = binning === 'sturges' ? sturgesEdges(concat(samples.reference, samples.current)) : quantileEdges(samples.reference, binning.quantiles);
    const labels = edges.slice(0, -1).map((edge, index) => `[${edge}, ${edges[index + 1]}${index === edges.length - 2 ? ']' : ')'}`);
    return { reference: histogramCounts(samples.reference, edges), current: histogramCounts(samples.current, edges), labels };
  }
  const counts = categoryCounts(samples.reference, samples.current);
  return { reference: counts.reference, current: counts.current, labels: counts.categories.map(String) };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const both = new Float64Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return both;
}

/** What one method says of one column: its statistic (a distance for distances), and a p-value for tests. */
export interface TestResult {
  statistic: number;
  pValue?: number;
}

export function driftTest(method: DriftMethod, samples: ColumnSamples, binning: Binning = 'sturges'): TestResult {
  switch (method) {
    case 'ks': {
      const { reference, current } = numbers(samples, method);
      const { statistic, pValue } = ks2Samp(reference, current);
      return { statistic, pValue };
    }
    case 'wasserstein': {
      const { reference, current } = numbers(samples, method);
      return { statistic: wassersteinNormed(reference, current) };
    }
    case 'chisquare': {
      const counts = categoryCounts(samples.reference, samples.current);
      const asRecord = (values: number[]) => new Map(counts.categories.map((category, index) => [String(category), values[index] as number]));
      const { statistic, pValue } = evidentlyChiSquare(asRecord(counts.reference), asRecord(counts.current));
      return { statistic, pValue };
    }
    case 'chi2contingency': {
      const counts = binnedCounts(samples, binning);
      const { statistic, pValue } = chiSquareContingency([counts.reference, counts.current]);
      return { statistic, pValue };
    }
    case 'ztest': {
      const counts = categoryCounts(samples.reference, samples.current);
      // Evidently's indicator: "is not the first category" in sorted order.
      const first = (values: number[]) => values[0] ?? 0;
      return twoProportionZTest(samples.reference.length - first(counts.reference), samples.reference.length, samples.current.length - first(counts.current), samples.current.length);
    }
    case 'jensenshannon':
    case 'psi':
    case 'hellinger':
    case 'linf': {
      const counts = binnedCounts(samples, binning);
      const distance = { jensenshannon: jensenShannonDistance, psi: populationStabilityIndex, hellinger: hellingerDistance, linf: lInfinityDistance }[method];
      return { statistic: distance(counts.reference, counts.current) };
    }
  }
}

/** The number a method's threshold applies to: the p-value of a test, the distance otherwise. */
export function scoreOf(method: DriftMethod, result: TestResult): number {
  return METHODS[method].score === 'pValue' ? (result.pValue as number) : result.statistic;
}

function numbers(samples: ColumnSamples, method: DriftMethod): { reference: Float64Array; current: Float64Array } {
  if (samples.type !== 'numerical') throw new RangeError(`${method} compares numbers; this column is categorical`);
  return samples;
}

/** Whether a score means drift, by the method's threshold (or the one given). */
export function isDrift(method: DriftMethod, score: number, threshold = METHODS[method].threshold): boolean {
  const spec = METHODS[method];
  if (spec.score === 'distance') return score >= threshold;
  return spec.inclusive ? score <= threshold : score < threshold;
}
