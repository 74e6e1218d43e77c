/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp (scipy 1.10.1) computes it:
 * the same statistic, the same choice between the exact and the asymptotic p-value, the same exact algorithms
 * (Hodges' outside-square formula for equal sizes, the inside method with Viehmann's 1-p recursion otherwise)
 * and the same asymptotic distribution (kstwo with n = round(n1 n2 / (n1 + n2))).
 *
 * Pure functions on Float64Array, no dependencies. Inputs must not be empty; NaN anywhere gives NaN results
 * (scipy's nan_policy='propagate'); callers drop NaN first.
 */

import { kstwoSf } from './kolmogorov.ts';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  /** D; after an exact computation it is rounded to a multiple of 1/lcm(n1, n2), as scipy returns it. */
  statistic: number;
  pValue: number;
  /** The method the p-value actually came from. */
  method: 'exact' | 'asymp';
}

/** With 'auto', the exact p-value is used when max(n1, n2) is at most this (scipy's MAX_AUTO_N). */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/** A sorted copy (ascending; NaN last). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values);
  copy.sort();
  return copy;
}

export interface SortedScan {
  /** sup |F_a - F_b| over the sample points, computed as scipy does: max(max(diff), clip(-min(diff), 0, 1)). */
  ksStatistic: number;
  /** The 1-Wasserstein distance: integral of |F_a - F_b|. */
  wasserstein: number;
  /** Where the KS statistic is reached: the value, and both ECDFs there. */
  at: { value: number; cdfA: number; cdfB: number };
}

/**
 * One merged pass over two ascending arrays (no NaN) giving both the KS statistic and the 1-Wasserstein
 * distance. Ties are consumed together, so the ECDFs are evaluated at every distinct value, right-continuous.
 */
export function scanSorted(sortedA: Float64Array, sortedB: Float64Array): SortedScan {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  let maxAtValue = Number.NaN;
  let maxAtA = 0;
  let minAtValue = Number.NaN;
  let minAtA = 0;
  // Neumaier-compensated sum of |F_a - F_b| * (next value - value).
  let sum = 0;
  let compensation = 0;
  let value = Math.min(sortedA[0] as number, sortedB[0] as number);
  while (i < n1 || j < n2) {
    while (i < n1 && sortedA[i] === value) i++;
    while (j < n2 && sortedB[j] === value) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) {
      maxDiff = diff;
      maxAtValue = value;
      maxAtA = i;
    }
    if (diff < minDiff) {
      minDiff = diff;
      minAtValue = value;
      minAtA = i;
    }
    const nextA = i < n1 ? (sortedA[i] as number) : Infinity;
    const nextB = j < n2 ? (sortedB[j] as number) : Infinity;
    const next = nextA < nextB ? nextA : nextB;
    if (next === Infinity) break;
    const term = Math.abs(diff) * (next - value);
    const total = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - total + term : term - total + sum;
    sum = total;
    value = next;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  const atMin = minS > maxDiff;
  const cdfA = (atMin ? minAtA : maxAtA) / n1;
  const at = { value: atMin ? minAtValue : maxAtValue, cdfA, cdfB: cdfA - (atMin ? minDiff : maxDiff) };
  return { ksStatistic: atMin ? minS : maxDiff, wasserstein: sum + compensation, at };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} >= h/n) = 2 (A0 (1 - A1 (1 - A2 (...)))) (Hodges), each Ai a ratio of binomials built as h factors. */
export function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let factor = 1;
    for (let j = 0; j < h; j++) factor = ((n - k * h - j) * factor) / (n + k * h + j + 1);
    p = factor * (1 - p);
  }
  return 2 * p;
}

/**
 * The proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n): the inside
 * method, rewritten (Viehmann 2021) so the column recursion carries 1 - p and never divides big binomials.
 */
export function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const length = Math.min(2 * maxJ + 2, n + 1);
  const column = new Float64Array(length).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    const shift = minJ - lastMinJ;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = ((column[jj + shift] as number) * i + value * j) / (i + j);
      column[jj] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength) column.fill(1, currentLength, currentLength + (lastLength - currentLength));
  }
  return column[maxJ - minJ - 1] as number;
}

/** The asymptotic two-sided p-value: kstwo.sf(d, round(n1 n2 / (n1 + n2))). */
export function ksAsymptoticPValue(d: number, n1: number, n2: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return kstwoSf(d, roundHalfEven(en));
}

/**
 * The p-value for a statistic d of samples of sizes n1, n2, choosing the method as ks_2samp does. Returns the
 * statistic as scipy reports it (rounded to a multiple of 1/lcm when the exact computation was attempted).
 */
export function ksPValue(d: number, n1: number, n2: number, method: KsMethod = 'auto'): KsResult {
  if (Number.isNaN(d)) return { statistic: Number.NaN, pValue: Number.NaN, method: method === 'exact' ? 'exact' : 'asymp' };
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode = method;
  if (mode === 'auto') mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  else if (mode === 'exact' && n1g >= INT32_MAX / n2g) mode = 'asymp';
  let statistic = d;
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    statistic = h / lcm;
    if (h === 0) return { statistic, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    // scipy falls back to the asymptotic p-value when the exact one is not a probability (fp trouble).
    if (p >= 0 && p <= 1) return { statistic, pValue: p, method: 'exact' };
  }
  const p = ksAsymptoticPValue(statistic, n1, n2);
  return { statistic, pValue: Number.isNaN(p) ? p : Math.min(Math.max(p, 0), 1), method: 'asymp' };
}

function hasNaN(sorted: Float64Array): boolean {
  return sorted.length > 0 && Number.isNaN(sorted[sorted.length - 1] as number);
}

/** ks_2samp on already sorted (ascending) samples. */
export function ks2SampSorted(sortedA: Float64Array, sortedB: Float64Array, method: KsMethod = 'auto'): KsResult {
  if (sortedA.length === 0 || sortedB.length === 0) throw new RangeError('ks2Samp: samples must not be empty');
  if (hasNaN(sortedA) || hasNaN(sortedB)) return { statistic: Number.NaN, pValue: Number.NaN, method: method === 'exact' ? 'exact' : 'asymp' };
  return ksPValue(scanSorted(sortedA, sortedB).ksStatistic, sortedA.length, sortedB.length, method);
}

/** scipy.stats.ks_2samp(a, b, alternative='two-sided', method). The inputs are not modified. */
export function ks2Samp(a: ArrayLike<number>, b: ArrayLike<number>, method: KsMethod = 'auto'): KsResult {
  return ks2SampSorted(sortedCopy(a), sortedCopy(b), method);
}

export interface KsAndWasserstein {
  ks: KsResult;
  /** scipy.stats.wasserstein_distance(a, b) */
  wasserstein: number;
}

/** Both statistics with one sort of each sample and one merged pass (the fast path for drift reports). */
export function ksAndWasserstein(a: ArrayLike<number>, b: ArrayLike<number>, method: KsMethod = 'auto'): KsAndWasserstein {
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  if (sortedA.length === 0 || sortedB.length === 0) throw new RangeError('ksAndWasserstein: samples must not be empty');
  if (hasNaN(sortedA) || hasNaN(sortedB)) {
    return { ks: { statistic: Number.NaN, pValue: Number.NaN, method: method === 'exact' ? 'exact' : 'asymp' }, wasserstein: Number.NaN };
  }
  const scan = scanSorted(sortedA, sortedB);
  return { ks: ksPValue(scan.ksStatistic, sortedA.length, sortedB.length, method), wasserstein: scan.wasserstein };
}
