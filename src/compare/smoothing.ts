// Shared with the webviews: no Node or DOM APIs here.

export const DEFAULT_SMOOTHING = 0.6;
const MAX_SMOOTHING = 0.999;

/**
 * TensorBoard's scalar smoothing: an exponential moving average, debiased so that the first points are not pulled
 * towards zero. Non-finite values pass through and do not feed the average; a constant series stays as it is.
 * `weight` is clamped to [0, 0.999]; 0 leaves the values unchanged.
 */
export function emaSmooth(ys: ArrayLike<number>, weight: number): Float64Array {
  const smoothing = weight > 0 ? Math.min(weight, MAX_SMOOTHING) : 0;
  const smoothed = Float64Array.from(ys);
  if (smoothing === 0 || isConstant(ys)) return smoothed;
  let last = 0;
  let accumulated = 0;
  // 1 - weight^n only grows; once it rounds to 1 it stays 1, and the costly power need not be taken again.
  let debias = 0;
  for (let index = 0; index < ys.length; index++) {
    const y = ys[index] as number;
    if (!Number.isFinite(y)) continue;
    last = last * smoothing + (1 - smoothing) * y;
    accumulated++;
    if (debias !== 1) debias = 1 - smoothing ** accumulated;
    smoothed[index] = last / debias;
  }
  return smoothed;
}

/** Whether every finite value equals the first finite one. */
function isConstant(ys: ArrayLike<number>): boolean {
  let first: number | undefined;
  for (let index = 0; index < ys.length; index++) {
    const y = ys[index] as number;
    if (!Number.isFinite(y)) continue;
    if (first === undefined) first = y;
    else if (y !== first) return false;
  }
  return true;
}
