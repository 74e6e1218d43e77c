/**
 * The 1-Wasserstein (earth mover's) distance between two samples, as scipy.stats.wasserstein_distance
 * (unweighted) computes it, and Evidently's normed variant. Pure functions, no dependencies.
 */

import { scanSorted, sortedCopy } from './ks.ts';

/** Evidently's floor on the reference standard deviation in wasserstein_distance_norm. */
export const WASSERSTEIN_NORM_MIN_STD = 0.001;

/** wasserstein_distance on already sorted (ascending, no NaN) samples. */
export function wassersteinDistanceSorted(sortedA: Float64Array, sortedB: Float64Array): number {
  if (sortedA.length === 0 || sortedB.length === 0) throw new RangeError('wassersteinDistance: samples must not be empty');
  return scanSorted(sortedA, sortedB).wasserstein;
}

/** scipy.stats.wasserstein_distance(a, b): the integral of |F_a - F_b|. NaN if either sample holds NaN. */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  if (sortedA.length === 0 || sortedB.length === 0) throw new RangeError('wassersteinDistance: samples must not be empty');
  if (Number.isNaN(sortedA[sortedA.length - 1] as number) || Number.isNaN(sortedB[sortedB.length - 1] as number)) return Number.NaN;
  return scanSorted(sortedA, sortedB).wasserstein;
}

/** numpy.std(values, ddof=0), two passes with compensated sums. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    const total = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - total + x : x - total + sum;
    sum = total;
  }
  const mean = (sum + compensation) / n;
  sum = 0;
  compensation = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    const x = d * d;
    const total = sum + x;
    compensation += sum - total + x;
    sum = total;
  }
  return Math.sqrt((sum + compensation) / n);
}

/** Evidently's wasserstein_distance_norm statistic: distance / max(std(reference), 0.001). */
export function wassersteinNormedFromDistance(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, WASSERSTEIN_NORM_MIN_STD);
}

/** Evidently's wasserstein_distance_norm: wasserstein_distance(reference, current) / max(std(reference, ddof=0), 0.001). */
export function wassersteinNormed(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wassersteinNormedFromDistance(wassersteinDistance(reference, current), populationStd(reference));
}
