/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n (scipy's `kstwo`), and the
 * one-sided Smirnov survival function it falls back on. Follows the branch structure scipy 1.10.1 uses
 * (`scipy.stats._ksstats._kolmogn`, after Simard & L'Ecuyer 2011) so that p-values agree with scipy to far
 * better than 1e-6 relative; the arithmetic is plain binary64 (scipy uses double-double in places), which is
 * where the last digits can differ.
 *
 * Pure functions, no dependencies.
 */

const TWO_POW_128 = 2 ** 128;
const TWO_POW_MINUS_128 = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
/** exp() of anything below this is 0 for our purposes (scipy's _MIN_LOG). */
const MIN_LOG = -708;
/** cephes MINLOG = log(2^-1022). */
const CEPHES_MINLOG = -7.08396418532264106224e2;
/** Above this n, scipy's smirnov switches to an approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
/** Stirling series coefficients for log(n!/n^n) (highest power first, as numpy.polyval takes them). */
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4,
  7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);
const pick = (cdf: number, sf: number, wantCdf: boolean): number => clip01(wantCdf ? cdf : sf);

/** x * 2^e without overflowing or underflowing in the intermediate power of two. */
function scaleByPowerOfTwo(x: number, e: number): number {
  let result = x;
  let rest = e;
  while (rest > 1000) {
    result *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    result *= 2 ** -1000;
    rest += 1000;
  }
  return result * 2 ** rest;
}

function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * y + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Pr(D_n <= d) by the Durbin matrix, as Marsaglia, Tsang & Wang (2003) compute it: the (k, k) entry of H^n,
 * times n!/n^n, with explicit power-of-two exponents kept aside so nothing overflows.
 */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tail = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tail) * fac;

  let base = new Float64Array(m * m);
  for (let col = 1; col < m; col++) {
    for (let row = col - 1; row < m; row++) base[row * m + col] = w[row - col + 1] as number;
  }
  for (let row = 0; row < m; row++) base[row * m] = v[row] as number;
  for (let col = 0; col < m; col++) base[(m - 1) * m + col] = v[m - 1 - col] as number;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let scratch = new Float64Array(m * m);
  let exponent = 0;
  let baseExponent = 0;
  let remaining = n;
  const diagonal = (k - 1) * m + (k - 1);
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      multiplySquare(power, base, scratch, m);
      [power, scratch] = [scratch, power];
      exponent += baseExponent;
    }
    multiplySquare(base, base, scratch, m);
    [base, scratch] = [scratch, base];
    baseExponent *= 2;
    if (Math.abs(base[diagonal] as number) > TWO_POW_128) {
      for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) / TWO_POW_128;
      baseExponent += 128;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[diagonal] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TWO_POW_MINUS_128) {
      p *= TWO_POW_128;
      exponent -= 128;
    }
  }
  if (exponent !== 0) p = scaleByPowerOfTwo(p, exponent);
  return clip01(p);
}

function multiplySquare(a: Float64Array, b: Float64Array, out: Float64Array, m: number): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const rowOut = i * m;
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l] as number;
      if (ail === 0) continue;
      const rowB = l * m;
      for (let j = 0; j < m; j++) out[rowOut + j] = (out[rowOut + j] as number) + ail * (b[rowB + j] as number);
    }
  }
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by Pomeranz's (1974) recursion. */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gPower = new Float64Array(size);
  const twoGPower = new Float64Array(size);
  const oneMinusTwoGPower = new Float64Array(size);
  gPower[0] = 1;
  twoGPower[0] = 1;
  oneMinusTwoGPower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < size; m++) {
    gPower[m] = ((gPower[m - 1] as number) * gOverN) / m;
    twoGPower[m] = ((twoGPower[m - 1] as number) * twoGOverN) / m;
    oneMinusTwoGPower[m] = ((oneMinusTwoGPower[m - 1] as number) * oneMinusTwoGOverN) / m;
  }
  let previous = new Float64Array(size);
  let current = new Float64Array(size);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const powers = i === 1 || i === 2 * n + 1 ? gPower : i % 2 === 1 ? twoGPower : oneMinusTwoGPower;
    const span = j2 - k1 + 1;
    if (span > 0) {
      // Full convolution of previous[k1 - previousStart, +span) with powers[0, span) (both cut at the array end,
      // as numpy slicing does); entries [j1 - k1, j1 - k1 + (j2 - j1 + 1)) of it become current[0, ...).
      const aStart = k1 - previousStart;
      const aLength = Math.max(Math.min(span, size - aStart), 0);
      const bLength = Math.min(span, size);
      const from = j1 - k1;
      const count = j2 - j1 + 1;
      let largest = -Infinity;
      for (let r = 0; r < count; r++) {
        const s = from + r;
        let sum = 0;
        const lo = Math.max(0, s - bLength + 1);
        const hi = Math.min(s, aLength - 1);
        for (let q = lo; q <= hi; q++) sum += (previous[aStart + q] as number) * (powers[s - q] as number);
        current[r] = sum;
      }
      for (let r = 0; r < size; r++) if ((current[r] as number) > largest) largest = current[r] as number;
      if (largest > 0 && largest < TWO_POW_MINUS_128) {
        for (let r = 0; r < size; r++) current[r] = (current[r] as number) * TWO_POW_128;
        exponent -= 128;
      }
      currentStart = previousStart + j1 - k1;
    }
  }
  let answer = current[n - currentStart] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > TWO_POW_128) {
      answer *= TWO_POW_MINUS_128;
      exponent += 128;
    }
    answer *= m;
  }
  if (exponent !== 0) answer = scaleByPowerOfTwo(answer, exponent);
  return clip01(answer);
}

/** The Pelz–Good (1976) asymptotic series for Pr(D_n <= x). */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = q ** (8 * k);
    k0 = k0 * qPower + 1;
    k1 = k1 * qPower + (k1a + k1b * m2);
    k2 = k2 * qPower + (k2a + k2b * m2 + k2c * m4);
    k3 = k3 * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  k0 = (k0 * q * SQRT_2PI) / z;
  k1 = (k1 * q * SQRT_2PI) / (6 * z4);
  k2 = (k2 * q * SQRT_2PI) / (72 * z ** 7);
  k3 = (k3 * q * SQRT_2PI) / (6480 * z ** 10);
  q = Math.exp(-PI_SQUARED / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let extra2 = 0;
  let extra3 = 0;
  for (let k = maxK; k > 0; k--) {
    const k2v = k ** 2;
    const qp = q ** k2v;
    extra2 += k2v * qp;
    const kpi = Math.PI * k;
    extra3 += (sqrt3z + kpi) * (sqrt3z - kpi) * k2v * qp;
  }
  k2 += (extra2 * PI_SQUARED * SQRT_2PI) / (-36 * z3);
  k3 += (extra3 * PI_SQUARED * SQRT_2PI) / (216 * z6);
  return k0 + k1 / Math.sqrt(n) + k2 / n + k3 / n ** 1.5;
}

/** Veltkamp/Dekker exact product: a*b = hi + lo. */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const split = 134217729; // 2^27 + 1
  const ca = split * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = split * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  const lo = aHi * bHi - hi + aHi * bLo + aLo * bHi + aLo * bLo;
  return [hi, lo];
}

/**
 * scipy.special.smirnov(n, x): Pr(D_n^+ >= x), the one-sided one-sample statistic, by the Birnbaum–Tingey sum
 *   x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x+v/n)^(v-1) (1-x-v/n)^(n-v)
 * whose terms are all positive, each evaluated through its logarithm (scipy sums in double-double).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const [hi, lo] = twoProduct(n, x);
  let nxFloor = Math.floor(hi);
  if (hi === nxFloor && lo < 0) nxFloor -= 1;
  let alpha = hi - nxFloor + lo;
  if (alpha >= 1) {
    nxFloor += 1;
    alpha = 0;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    // x <= 1/n: the cdf is x (1+x)^(n-1).
    return clip01(1 - x * (1 + x) ** (n - 1));
  }
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxFloor >= n - 1) return clip01((1 - x) ** n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // v runs to floor(n(1-x)), less the last term (which is 0) when n(1-x) is an integer: n - floor(nx) - 1.
  const terms = n - nxFloor;
  let logBinomial = 0;
  // The terms rise by hundreds of orders of magnitude before they fall: sum them relative to the largest so far.
  let reference = n * Math.log1p(-x) - Math.log(x); // term v=0: x^-1 (1-x)^n
  let sum = 1;
  for (let v = 1; v < terms; v++) {
    logBinomial += Math.log((n - v + 1) / v);
    const rest = (n - v) / n - x;
    if (rest <= 0) break;
    const logTerm = logBinomial + (v - 1) * Math.log(v / n + x) + (n - v) * Math.log(rest);
    let term: number;
    if (logTerm > reference) {
      sum = sum * Math.exp(reference - logTerm) + 1;
      reference = logTerm;
      term = 1;
    } else {
      term = Math.exp(logTerm - reference);
      sum += term;
    }
    if (term !== 0) {
      if (4 * (terms - v) * term < Number.EPSILON * sum && v !== terms - 1) break;
    } else if (v > n / 2) {
      break;
    }
  }
  const logResult = Math.log(x) + reference + Math.log(sum);
  return clip01(Math.exp(logResult));
}

/**
 * scipy.stats._ksstats._kolmogn: Pr(D_n <= x) (wantCdf) or Pr(D_n > x), n a positive integer.
 */
export function kolmogorovN(n: number, x: number, wantCdf: boolean): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return pick(1, 0, wantCdf);
  if (x <= 0) return pick(0, 1, wantCdf);
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/(2n) <= x <= 1/n.
    if (t <= 0.5) return pick(0, 1, wantCdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      const step = 1 / n;
      const factor = 2 * t - 1;
      for (let i = 1; i <= n; i++) prob *= i * step * factor;
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob, wantCdf);
  }
  if (t >= n - 1) {
    // Ruben–Gambino, upper edge.
    const prob = 2 * (1 - x) ** n;
    return pick(1 - prob, prob, wantCdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, wantCdf);
  }
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) {
      const prob = durbinMatrixCdf(n, x);
      return pick(prob, 1 - prob, wantCdf);
    }
    if (nxSquared <= 4) {
      const prob = pomeranzCdf(n, x);
      return pick(prob, 1 - prob, wantCdf);
    }
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, wantCdf);
  }
  if (!wantCdf) {
    if (nxSquared >= 370) return 0;
    if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdf: number;
  if (nxSquared >= 18) cdf = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdf = durbinMatrixCdf(n, x);
  else cdf = pelzGoodCdf(n, x);
  return pick(cdf, 1 - cdf, wantCdf);
}

/** scipy.stats.kstwo.sf(d, n): NaN unless n is an integer >= 1; 1 at or below the support's start 0.5/n. */
export function kstwoSf(d: number, n: number): number {
  if (!(n >= 1 && Number.isInteger(n)) || Number.isNaN(d)) return Number.NaN;
  if (d <= 0.5 / n) return 1;
  if (d >= 1) return 0;
  return kolmogorovN(n, d, false);
}

/** scipy.stats.kstwo.cdf(d, n). */
export function kstwoCdf(d: number, n: number): number {
  if (!(n >= 1 && Number.isInteger(n)) || Number.isNaN(d)) return Number.NaN;
  if (d <= 0.5 / n) return 0;
  if (d >= 1) return 1;
  return kolmogorovN(n, d, true);
}
