import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chi2Sf, logGamma, regularizedGammaP, regularizedGammaQ } from '../../../src/drift/stats/gamma.ts';
import { erf, erfc, normalCdf, normalSf } from '../../../src/drift/stats/normal.ts';
import { golden, isClose, relativeError, value } from '../../drift/golden/goldenStats.ts';

/** Against the 40-digit references: results are correctly rounded doubles of the true values to within this. */
const VERSUS_TRUTH = 1e-12;
/** Against scipy 1.10.1, whose own error reaches ~1e-11 in places. */
const VERSUS_SCIPY = 1e-6;

describe('incomplete gamma, golden against scipy.special.gammainc/gammaincc and mpmath', () => {
  it('has a grid over a from 0.5 to 1e6 and x from 1e-300 to the far tails', () => {
    assert.ok(golden.gamma.length >= 250, `only ${golden.gamma.length} cases`);
    const as = new Set(golden.gamma.map(([a]) => a));
    for (const a of [0.5, 1, 2.5, 10, 100, 1000, 19999 / 2, 10000, 1e5, 1e6]) {
      assert.ok(as.has(a), `no cases for a = ${a}`);
    }
    const smallest = Math.min(...golden.gamma.flatMap(([, , , , p, q]) => [value(p), value(q)]).filter((v) => v > 0));
    assert.ok(smallest < 1e-250, `smallest tail ${smallest}`);
  });

  it('matches the 40-digit references to 1e-12 relative everywhere, far tails and a = 1e6 near the median included', () => {
    const failures: string[] = [];
    for (const [a, x, , , p, q] of golden.gamma) {
      const actualP = regularizedGammaP(a, x);
      const actualQ = regularizedGammaQ(a, x);
      if (!isClose(actualP, value(p), VERSUS_TRUTH)) failures.push(`P(${a}, ${x}) = ${actualP}, expected ${value(p)}`);
      if (!isClose(actualQ, value(q), VERSUS_TRUTH)) failures.push(`Q(${a}, ${x}) = ${actualQ}, expected ${value(q)}`);
    }
    assert.deepEqual(failures, []);
  });

  it('matches scipy to 1e-6 relative, except where scipy itself is off the references (a = 1e6, x = a - 4.5 sqrt(a) and a - 5 sqrt(a))', () => {
    const failures: string[] = [];
    const scipyOff: string[] = [];
    for (const [a, x, scipyP, scipyQ, p, q] of golden.gamma) {
      for (const [name, actual, scipy, truth] of [
        ['P', regularizedGammaP(a, x), value(scipyP), value(p)],
        ['Q', regularizedGammaQ(a, x), value(scipyQ), value(q)],
      ] as const) {
        if (isClose(actual, scipy, VERSUS_SCIPY)) continue;
        if (relativeError(scipy, truth) > 1e-7 && isClose(actual, truth, VERSUS_TRUTH)) {
          scipyOff.push(`${name}(${a}, ${x})`);
          continue;
        }
        failures.push(`${name}(${a}, ${x}) = ${actual}, scipy ${scipy}`);
      }
    }
    assert.deepEqual(failures, []);
    // scipy 1.10.1 gammainc(1e6, 995500) = 3.296266e-6 against the true 3.296304e-6 (1.2e-5 relative)
    assert.deepEqual(scipyOff, ['P(1000000, 995000)', 'P(1000000, 995500)']);
  });

  it('gets chi2.sf right at df ~ 20000 near the median, where @stdlib is 0.8% off', () => {
    assert.ok(Math.abs(chi2Sf(20000, 19999) - 0.49667547194641115) < 1e-14);
    assert.ok(relativeError(regularizedGammaQ(19999 / 2, 10000), 0.49667547194641115) < 1e-13);
  });

  it('matches scipy.stats.chi2.sf to 1e-6 and the references to 1e-12', () => {
    assert.ok(golden.chi2sf.length >= 100);
    const failures: string[] = [];
    for (const [x, df, scipy, truth] of golden.chi2sf) {
      const actual = chi2Sf(x, df);
      if (!isClose(actual, value(scipy), VERSUS_SCIPY) || !isClose(actual, value(truth), VERSUS_TRUTH)) {
        failures.push(`chi2Sf(${x}, ${df}) = ${actual}, scipy ${value(scipy)}, true ${value(truth)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('agrees with closed forms and edge values', () => {
    for (const x of [1e-8, 0.3, 1, 7.5, 40, 700]) {
      assert.ok(relativeError(regularizedGammaQ(1, x), Math.exp(-x)) < 1e-14, `Q(1, ${x})`);
      assert.ok(relativeError(chi2Sf(2 * x, 2), Math.exp(-x)) < 1e-14, `chi2Sf(${2 * x}, 2)`);
      assert.ok(relativeError(regularizedGammaQ(0.5, x * x), erfc(x)) < 1e-13, `Q(0.5, ${x * x})`);
    }
    assert.equal(regularizedGammaP(3, 0), 0);
    assert.equal(regularizedGammaQ(3, 0), 1);
    assert.equal(regularizedGammaP(3, Infinity), 1);
    assert.equal(regularizedGammaQ(3, Infinity), 0);
    assert.equal(regularizedGammaP(0, 2), 1);
    assert.ok(Number.isNaN(regularizedGammaP(-1, 2)));
    assert.ok(Number.isNaN(regularizedGammaQ(2, -1)));
    assert.ok(Number.isNaN(regularizedGammaQ(Number.NaN, 1)));
    assert.equal(chi2Sf(0, 5), 1);
    assert.equal(chi2Sf(-1, 5), 1);
    assert.equal(chi2Sf(Infinity, 5), 0);
    assert.ok(Number.isNaN(chi2Sf(1, 0)));
  });
});

describe('log-gamma, golden against scipy.special.gammaln and mpmath', () => {
  it('is within 1e-14 of the references (relative above 1, absolute below)', () => {
    const failures: string[] = [];
    for (const [x, scipy, truth] of golden.gammaln) {
      const actual = logGamma(x);
      const scale = Math.max(1, Math.abs(value(truth)));
      if (Math.abs(actual - value(truth)) > 1e-14 * scale || Math.abs(actual - value(scipy)) > 1e-13 * scale) {
        failures.push(`logGamma(${x}) = ${actual}, scipy ${value(scipy)}, true ${value(truth)}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(logGamma(1), 0);
    assert.equal(logGamma(2), 0);
    assert.equal(logGamma(0), Infinity);
    assert.equal(logGamma(-3), Infinity);
  });
});

describe('normal distribution, golden against scipy.stats.norm.sf / scipy.special.erfc and mpmath', () => {
  it('keeps relative accuracy in the far tail (sf(37) ~ 5.7e-300)', () => {
    const failures: string[] = [];
    for (const [z, scipySf, trueSf, scipyErfc, trueErfc] of golden.normal) {
      const sf = normalSf(z);
      if (!isClose(sf, value(scipySf), VERSUS_SCIPY) || !isClose(sf, value(trueSf), VERSUS_TRUTH)) {
        failures.push(`normalSf(${z}) = ${sf}, scipy ${value(scipySf)}, true ${value(trueSf)}`);
      }
      const complement = erfc(z);
      if (value(trueErfc) > 1e-300 && (!isClose(complement, value(scipyErfc), VERSUS_SCIPY) || !isClose(complement, value(trueErfc), 1e-14))) {
        failures.push(`erfc(${z}) = ${complement}, scipy ${value(scipyErfc)}, true ${value(trueErfc)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('is consistent across sf, cdf, erf and erfc', () => {
    for (const z of [-6, -1.3, -0.2, 0, 0.4, 0.5, 0.51, 2, 9]) {
      assert.ok(Math.abs(normalCdf(z) + normalSf(z) - 1) < 1e-15, `cdf + sf at ${z}`);
      assert.ok(Math.abs(erf(z) + erfc(z) - 1) < 1e-15, `erf + erfc at ${z}`);
      assert.ok(Math.abs(erf(-z) + erf(z)) < 1e-16, `erf odd at ${z}`);
    }
    assert.equal(normalSf(0), 0.5);
    assert.equal(normalSf(-Infinity), 1);
    assert.equal(normalSf(Infinity), 0);
  });
});
