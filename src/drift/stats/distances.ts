/**
 * Distances between two histograms over the same bins or categories: PSI (Evidently), Jensen-Shannon distance
 * (scipy.spatial.distance.jensenshannon), Hellinger distance and L-infinity. Inputs are counts or weights; each
 * side is normalized to sum 1.
 */

function normalized(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, value) => sum + value, 0);
  return weights.map((value) => value / total);
}

function checkLengths(p: readonly number[], q: readonly number[]): void {
  if (p.length !== q.length) {
    throw new RangeError(`histograms of different lengths: ${p.length} and ${q.length}`);
  }
}

/**
 * Evidently's feel_zeroes: zero shares are replaced by min(non-zero share) / 1e6 if that minimum is at most 1e-4,
 * else by 1e-4. The shares are not renormalized afterwards (as in Evidently).
 */
export function fillZeroes(shares: readonly number[]): number[] {
  let minimum = Number.POSITIVE_INFINITY;
  for (const share of shares) {
    if (share !== 0 && share < minimum) {
      minimum = share;
    }
  }
  const filler = minimum <= 1e-4 ? minimum / 10 ** 6 : 1e-4;
  return shares.map((share) => (share === 0 ? filler : share));
}

/**
 * Population stability index as Evidently's psi_stattest: shares = counts / total per side, zero shares filled
 * (fillZeroes, per side), PSI = sum (ref - cur) ln(ref / cur).
 */
export function populationStabilityIndex(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  checkLengths(referenceCounts, currentCounts);
  const reference = fillZeroes(normalized(referenceCounts));
  const current = fillZeroes(normalized(currentCounts));
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    psi += (r - c) * Math.log(r / c);
  }
  return psi;
}

function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) {
    return x * Math.log(x / y);
  }
  return x === 0 && y >= 0 ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * Jensen-Shannon distance like scipy.spatial.distance.jensenshannon(p, q, base): sqrt((KL(p||m) + KL(q||m)) / 2)
 * with m = (p + q) / 2, natural logarithm unless a base is given (base 2 bounds it by 1).
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base?: number): number {
  checkLengths(p, q);
  const pn = normalized(p);
  const qn = normalized(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i] as number;
    const b = qn[i] as number;
    const m = (a + b) / 2;
    left += relativeEntropy(a, m);
    right += relativeEntropy(b, m);
  }
  let js = left + right;
  if (base !== undefined) {
    js /= Math.log(base);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Hellinger distance as Evidently: sqrt(1 - sum sqrt(p q)) on the normalized histograms (0 for identical, 1 for disjoint). */
export function hellingerDistance(p: readonly number[], q: readonly number[]): number {
  checkLengths(p, q);
  const pn = normalized(p);
  const qn = normalized(q);
  let coefficient = 0;
  for (let i = 0; i < pn.length; i++) {
    coefficient += Math.sqrt((pn[i] as number) * (qn[i] as number));
  }
  return Math.sqrt(Math.max(0, 1 - coefficient));
}

/** L-infinity distance: max |p - q| over the normalized histograms (TFDV, NannyML). */
export function lInfinityDistance(p: readonly number[], q: readonly number[]): number {
  checkLengths(p, q);
  const pn = normalized(p);
  const qn = normalized(q);
  let maximum = 0;
  for (let i = 0; i < pn.length; i++) {
    maximum = Math.max(maximum, Math.abs((pn[i] as number) - (qn[i] as number)));
  }
  return maximum;
}
