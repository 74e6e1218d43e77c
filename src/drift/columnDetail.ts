import type { Category, TestResult } from './columnDrift.ts';
import { fillZeroes } from './stats/distances.ts';
import type { SortedScan } from './stats/ks.ts';
import { populationStd } from './stats/wasserstein.ts';

/**
 * What a drift report's drill-down draws for one column, small enough to save with the report (the data files may
 * be gone when it is opened again): both distributions on shared bins or categories as shares, each bin's part
 * in PSI and in the Jensen-Shannon divergence ("why it drifted"), ECDFs and the KS distance for numbers, and every
 * method's score side by side.
 */
export interface Distribution {
  labels: string[];
  /** Bin edges when numbers were binned (labels.length + 1 of them). */
  edges?: number[];
  reference: number[];
  current: number[];
  /** Per label: (ref - cur) ln(ref / cur) with Evidently's zero filling; sums to the PSI over these bins. */
  psi: number[];
  /** Per label: its part in the Jensen-Shannon divergence (natural log); the distance is sqrt(sum / 2). */
  js: number[];
  /** Categories beyond the ones listed, folded into the last label. */
  folded?: number;
}

/** Counts over the union of categories, ordered as Evidently's (numbers numerically, text by code point). */
export interface CategoryTable {
  categories: Category[];
  reference: number[];
  current: number[];
}

/** The histograms distances compare, as Evidently bins them (see `binnedCounts` in columnDrift.ts). */
export interface BinnedCounts {
  reference: number[];
  current: number[];
  labels: string[];
  /** Bin edges, when numbers were binned; absent when counted by value. */
  edges?: number[];
}

export interface SideSummary {
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
  std: number;
}

export interface NumericalDetail {
  kind: 'numerical';
  distribution: Distribution;
  /** Both ECDFs on one grid of x values. */
  ecdf: { x: number[]; reference: number[]; current: number[] };
  ks: { statistic: number; at: number; reference: number; current: number };
  summary: { reference: SideSummary; current: SideSummary };
  scores: Record<string, TestResult>;
}

export interface CategoricalDetail {
  kind: 'categorical';
  distribution: Distribution;
  scores: Record<string, TestResult>;
}

export type ColumnDetail = NumericalDetail | CategoricalDetail;

const ECDF_POINTS_PER_SIDE = 200;
const MAX_CATEGORIES = 40;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total === 0 ? 0 : count / total));
}

function relativeEntropy(x: number, y: number): number {
  return x > 0 && y > 0 ? x * Math.log(x / y) : 0;
}

function distribution(counts: BinnedCounts): Distribution {
  const reference = shares(counts.reference);
  const current = shares(counts.current);
  const filledReference = fillZeroes(reference);
  const filledCurrent = fillZeroes(current);
  const psi = filledReference.map((r, index) => (r - (filledCurrent[index] as number)) * Math.log(r / (filledCurrent[index] as number)));
  const js = reference.map((r, index) => {
    const c = current[index] as number;
    const middle = (r + c) / 2;
    return relativeEntropy(r, middle) + relativeEntropy(c, middle);
  });
  return { labels: counts.labels, ...(counts.edges ? { edges: counts.edges } : {}), reference, current, psi, js };
}

/** Keeps the categories that matter most (by share on either side, then by PSI part) and folds the rest into one. */
function foldCategories(full: Distribution): Distribution {
  if (full.labels.length <= MAX_CATEGORIES) return full;
  const weight = (index: number) => Math.max(full.reference[index] as number, full.current[index] as number) + Math.abs(full.psi[index] as number);
  const order = full.labels.map((_, index) => index).sort((a, b) => weight(b) - weight(a));
  const kept = order.slice(0, MAX_CATEGORIES - 1).sort((a, b) => a - b);
  const rest = order.slice(MAX_CATEGORIES - 1);
  const pick = (values: number[]) => [...kept.map((index) => values[index] as number), rest.reduce((sum, index) => sum + (values[index] as number), 0)];
  return { labels: [...kept.map((index) => full.labels[index] as string), `(${rest.length} more)`], reference: pick(full.reference), current: pick(full.current), psi: pick(full.psi), js: pick(full.js), folded: rest.length };
}

/** Values of an ascending array at evenly spaced ranks, at most `count` of them. */
function quantilePoints(sorted: Float64Array, count: number): number[] {
  const n = sorted.length;
  if (n <= count) return Array.from(sorted);
  return Array.from({ length: count }, (_, index) => sorted[Math.round((index * (n - 1)) / (count - 1))] as number);
}

/** The ECDF of an ascending array at x: the share of values <= x. */
function ecdfAt(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= x) low = middle + 1;
    else high = middle;
  }
  return low / sorted.length;
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (position - below);
}

function summarize(sorted: Float64Array): SideSummary {
  let sum = 0;
  for (let index = 0; index < sorted.length; index++) sum += sorted[index] as number;
  return { min: sorted[0] as number, p25: quantile(sorted, 0.25), median: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), max: sorted.at(-1) as number, mean: sum / sorted.length, std: populationStd(sorted) };
}

export function numericalDetail(reference: Float64Array, current: Float64Array, scan: SortedScan, bins: BinnedCounts, scores: Record<string, TestResult>): NumericalDetail {
  const x = [...new Set([...quantilePoints(reference, ECDF_POINTS_PER_SIDE), ...quantilePoints(current, ECDF_POINTS_PER_SIDE)])].sort((a, b) => a - b);
  return {
    kind: 'numerical',
    distribution: distribution(bins),
    ecdf: { x, reference: x.map((value) => ecdfAt(reference, value)), current: x.map((value) => ecdfAt(current, value)) },
    ks: { statistic: scores.ks?.statistic ?? scan.ksStatistic, at: scan.at.value, reference: scan.at.cdfA, current: scan.at.cdfB },
    summary: { reference: summarize(reference), current: summarize(current) },
    scores,
  };
}

export function categoricalDetail(table: CategoryTable, bins: BinnedCounts, scores: Record<string, TestResult>): CategoricalDetail {
  const counts = bins.edges ? { reference: table.reference, current: table.current, labels: table.categories.map(String) } : bins;
  return { kind: 'categorical', distribution: foldCategories(distribution(counts)), scores };
}
