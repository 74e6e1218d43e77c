import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { kstwoSf } from '../../../src/drift/stats/kolmogorov.ts';
import { ks2Samp, ksAndWasserstein, probOutsideSquare, roundHalfEven, type KsMethod } from '../../../src/drift/stats/ks.ts';
import { type SampleSpec, sampleFromSpec } from '../../drift/golden/ksSamples.ts';

interface KsCase {
  a: SampleSpec;
  b: SampleSpec;
  method: KsMethod;
  statistic: number | null;
  pValue: number | null;
  note: string;
}

const golden = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/drift/ks-golden.json'), 'utf8')) as {
  scipy: string;
  cases: KsCase[];
  kstwoSf: Array<[n: number, x: number, sf: number | null]>;
};

const P_RELATIVE = 1e-6;
const STATISTIC_ABSOLUTE = 1e-9;

function pValueError(actual: number, expected: number | null): number {
  if (expected === null) return Number.isNaN(actual) ? 0 : Infinity;
  if (expected === 0) return actual === 0 ? 0 : Infinity;
  if (expected <= 1e-300) return actual <= 1e-290 ? 0 : Infinity;
  return Math.abs(actual - expected) / expected;
}

describe('ks2Samp against scipy.stats.ks_2samp', () => {
  it(`matches ${golden.cases.length} golden cases (scipy ${golden.scipy})`, () => {
    assert.ok(golden.cases.length >= 300);
    const samples = new Map<string, Float64Array>();
    const get = (spec: SampleSpec) => {
      const key = spec.join(',');
      let sample = samples.get(key);
      if (!sample) samples.set(key, (sample = sampleFromSpec(spec)));
      return sample;
    };
    const failures: string[] = [];
    let worstStatistic = 0;
    let worstP = 0;
    for (const c of golden.cases) {
      const result = ks2Samp(get(c.a), get(c.b), c.method);
      const dError = c.statistic === null ? (Number.isNaN(result.statistic) ? 0 : Infinity) : Math.abs(result.statistic - c.statistic);
      const pError = pValueError(result.pValue, c.pValue);
      worstStatistic = Math.max(worstStatistic, dError);
      worstP = Math.max(worstP, pError);
      if (!(dError <= STATISTIC_ABSOLUTE) || !(pError <= P_RELATIVE)) {
        failures.push(`${c.note} ${JSON.stringify(c.a)} vs ${JSON.stringify(c.b)} ${c.method}: got D=${result.statistic} p=${result.pValue} (${result.method}), scipy D=${c.statistic} p=${c.pValue}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(worstStatistic <= STATISTIC_ABSOLUTE && worstP <= P_RELATIVE);
  });

  it('covers the whole p-value range, ties, both exact algorithms and the asymptotic branch', () => {
    const ps = golden.cases.map((c) => c.pValue).filter((p): p is number => p !== null);
    assert.ok(ps.some((p) => p === 1));
    assert.ok(ps.some((p) => p > 0 && p < 1e-280));
    assert.ok(ps.some((p) => p === 0));
    assert.ok(golden.cases.some((c) => c.a[2] === 'discrete'));
    assert.ok(golden.cases.some((c) => c.a[1] === 10000 && c.b[1] === 10001));
  });

  it('chooses the method as scipy does', () => {
    const a = sampleFromSpec([1, 10000, 'uniform', 0, 1, 0]);
    const b = sampleFromSpec([2, 10001, 'uniform', 0, 1, 0]);
    assert.equal(ks2Samp(a, a.subarray(0, 9999)).method, 'exact');
    assert.equal(ks2Samp(a, b).method, 'asymp');
    assert.equal(ks2Samp(a.subarray(0, 5), b.subarray(0, 7), 'asymp').method, 'asymp');
  });

  it('does not modify or depend on the order of its inputs', () => {
    const a = sampleFromSpec([3, 200, 'irwin', 3, 1, 0]);
    const b = sampleFromSpec([4, 150, 'irwin', 3, 1, 0.1]);
    const copy = Float64Array.from(a);
    const result = ks2Samp(a, b);
    assert.deepEqual(a, copy);
    assert.deepEqual(ks2Samp(Float64Array.from(a).reverse(), b), result);
    assert.deepEqual(ks2Samp([...a], [...b]), result);
  });

  it('handles degenerate inputs', () => {
    assert.throws(() => ks2Samp([], [1]), RangeError);
    assert.deepEqual(ks2Samp([1, 1, 1], [1, 1]), { statistic: 0, pValue: 1, method: 'exact' });
    assert.equal(ks2Samp([1, 2], [Number.NaN, 3]).pValue, Number.NaN);
    // round(1*1/2) = 0 under numpy's half-to-even rounding: kstwo(n=0) is undefined, scipy returns NaN.
    assert.ok(Number.isNaN(ks2Samp([1], [2], 'asymp').pValue));
  });
});

describe('kstwo.sf against scipy.stats.kstwo.sf', () => {
  it(`matches ${golden.kstwoSf.length} grid points across every branch`, () => {
    const failures: string[] = [];
    for (const [n, x, expected] of golden.kstwoSf) {
      const actual = kstwoSf(x, n);
      if (!(pValueError(actual, expected) <= P_RELATIVE)) failures.push(`n=${n} x=${x}: got ${actual}, scipy ${expected}`);
    }
    assert.deepEqual(failures, []);
  });
});

describe('helpers', () => {
  it('rounds halves to even like numpy', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 4, -0, -2, 2, 3]);
  });

  it('gives Pr(D_{n,n} >= 1) = 2 / C(2n, n)', () => {
    assert.ok(Math.abs(probOutsideSquare(3, 3) - 2 / 20) < 1e-15);
    assert.ok(Math.abs(probOutsideSquare(5, 5) - 2 / 252) < 1e-15);
  });
});

describe('performance', () => {
  it('KS and Wasserstein of 1e6 vs 1e6 values take well under a second', () => {
    const a = sampleFromSpec([11, 1_000_000, 'irwin', 2, 1, 0]);
    const b = sampleFromSpec([12, 1_000_000, 'irwin', 2, 1, 0.001]);
    const start = performance.now();
    const result = ksAndWasserstein(a, b);
    const elapsed = performance.now() - start;
    assert.equal(result.ks.method, 'asymp');
    assert.ok(result.wasserstein > 0.0005 && result.wasserstein < 0.0015, String(result.wasserstein));
    assert.ok(elapsed < 900, `${elapsed.toFixed(0)} ms`);
  });
});
