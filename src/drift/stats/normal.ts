/**
 * Complementary error function and the normal survival function, accurate in the far tails (down to the
 * smallest doubles), and Evidently's two-proportion z-test.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const EPSILON = 2 ** -53;

/** e^(-z^2) without the rounding error of squaring z: z = s + t with s having few bits, so s^2 is exact. */
function expMinusSquare(z: number): number {
  const s = Math.trunc(z * 16) / 16;
  return Math.exp(-s * s) * Math.exp(-(z - s) * (z + s));
}

/** erf(z) by its Maclaurin series; used for |z| < 0.5 only. */
function erfSeries(z: number): number {
  const square = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 100; n++) {
    term *= -square / n;
    const contribution = term / (2 * n + 1);
    sum += contribution;
    if (Math.abs(contribution) <= EPSILON * Math.abs(sum)) {
      break;
    }
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc(z) for z >= 0.5 by the continued fraction erfc z = e^-z^2 / sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))). */
function erfcContinuedFraction(z: number): number {
  const tiny = 1e-300;
  let c = z;
  let d = 0;
  let h = z;
  for (let n = 1; n < 100_000; n++) {
    const an = n / 2;
    d = z + an * d;
    if (Math.abs(d) < tiny) {
      d = tiny;
    }
    c = z + an / c;
    if (Math.abs(c) < tiny) {
      c = tiny;
    }
    d = 1 / d;
    const delta = c * d;
    h *= delta;
    if (Math.abs(delta - 1) <= EPSILON) {
      break;
    }
  }
  return expMinusSquare(z) * ONE_OVER_SQRT_PI / h;
}

/** The error function, like scipy.special.erf. */
export function erf(z: number): number {
  if (Number.isNaN(z)) {
    return Number.NaN;
  }
  if (Math.abs(z) < 0.5) {
    return erfSeries(z);
  }
  return z > 0 ? 1 - erfc(z) : erfc(-z) - 1;
}

/** The complementary error function 1 - erf(z), like scipy.special.erfc; relative accuracy in the right tail. */
export function erfc(z: number): number {
  if (Number.isNaN(z)) {
    return Number.NaN;
  }
  if (z < 0.5) {
    return z > -0.5 ? 1 - erfSeries(z) : 2 - erfc(-z);
  }
  if (z > 27.3) {
    return 0; // below the smallest subnormal
  }
  return erfcContinuedFraction(z);
}

/** Survival function of the standard normal distribution, 1 - Phi(z), like scipy.stats.norm.sf. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

/** Cumulative distribution function of the standard normal distribution, Phi(z), like scipy.stats.norm.cdf. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

export interface ZTestResult {
  /** (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2)) with the pooled proportion P. */
  statistic: number;
  /** Two-sided: 2 * sf(|z|). */
  pValue: number;
}

/**
 * Pooled two-proportion z-test, as Evidently's z_stattest (sample 1 is the reference): z = (p1 - p2) /
 * sqrt(P (1 - P) (1/n1 + 1/n2)), p = 2 sf(|z|). Evidently computes 2 (1 - cdf(|z|)), which is the same value but
 * rounds to 0 below about 1e-16; this keeps the tail. When both samples are all successes or all failures the
 * statistic is 0/0 in Evidently (NaN); here it is 0 with p-value 1 (no difference).
 */
export function twoProportionZTest(successes1: number, n1: number, successes2: number, n2: number): ZTestResult {
  if (!(n1 > 0) || !(n2 > 0)) {
    return { statistic: Number.NaN, pValue: Number.NaN };
  }
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) {
    return { statistic: 0, pValue: 1 };
  }
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: 2 * normalSf(Math.abs(statistic)) };
}
