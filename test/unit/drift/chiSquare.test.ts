import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareContingency, chiSquareGoodnessOfFit, evidentlyChiSquare } from '../../../src/drift/stats/chiSquare.ts';
import { twoProportionZTest } from '../../../src/drift/stats/normal.ts';
import { golden, isClose, sampleOf, value } from '../../drift/golden/goldenStats.ts';

/** Statistics: 1e-9 absolute, or 1e-12 relative for large ones. */
function statisticClose(actual: number, expected: number): boolean {
  return isClose(actual, expected, 1e-12, 1e-9);
}
/** p-values: 1e-6 relative, down to 1e-300 (exact 0 for an infinite statistic). */
function pClose(actual: number, expected: number): boolean {
  return isClose(actual, expected, 1e-6);
}

function countsOf(values: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return counts;
}

describe('chi-square tests, golden against scipy.stats.chisquare / chi2_contingency on generated category counts', () => {
  const cases = golden.categorical.map((c) => {
    const reference = sampleOf(c.reference);
    const current = sampleOf(c.current);
    return { ...c, reference, current };
  });

  it('regenerates the same samples as the generator (counts per category match)', () => {
    for (const c of cases) {
      const ref = countsOf(c.reference);
      const cur = countsOf(c.current);
      assert.deepEqual(c.keys.map((k) => ref.get(String(k)) ?? 0), c.referenceCounts);
      assert.deepEqual(c.keys.map((k) => cur.get(String(k)) ?? 0), c.currentCounts);
    }
  });

  it("matches Evidently's chisquare_stattest (scipy.stats.chisquare of current against scaled reference counts)", () => {
    assert.ok(cases.some((c) => value(c.chisquare[0]) === Infinity), 'a category only in current is covered');
    for (const c of cases) {
      const result = evidentlyChiSquare(countsOf(c.reference), countsOf(c.current));
      assert.ok(statisticClose(result.statistic, value(c.chisquare[0])), `statistic ${result.statistic} vs ${value(c.chisquare[0])}`);
      assert.ok(pClose(result.pValue, value(c.chisquare[1])), `p ${result.pValue} vs ${value(c.chisquare[1])}`);
      assert.equal(result.dof, c.keys.length - 1);
    }
  });

  it('matches scipy.stats.chi2_contingency on the 2 x K table, Yates-corrected when dof is 1', () => {
    assert.ok(cases.filter((c) => c.contingency[2] === 1).length >= 4, 'dof 1 (Yates) cases are covered');
    for (const c of cases) {
      const result = chiSquareContingency([c.referenceCounts, c.currentCounts]);
      assert.equal(result.dof, c.contingency[2]);
      assert.ok(statisticClose(result.statistic, value(c.contingency[0])), `statistic ${result.statistic} vs ${value(c.contingency[0])}`);
      assert.ok(pClose(result.pValue, value(c.contingency[1])), `p ${result.pValue} vs ${value(c.contingency[1])}`);
    }
  });

  it("matches Evidently's z_stattest (pooled two-proportion z on x != first category)", () => {
    for (const c of cases) {
      const first = Math.min(...c.keys);
      const result = twoProportionZTest(
        c.reference.filter((x) => x !== first).length, c.reference.length,
        c.current.filter((x) => x !== first).length, c.current.length,
      );
      assert.ok(statisticClose(result.statistic, value(c.z[0])), `z ${result.statistic} vs ${value(c.z[0])}`);
      assert.ok(pClose(result.pValue, value(c.z[1])), `p ${result.pValue} vs ${value(c.z[1])}`);
      // Evidently's own 2 (1 - cdf) agrees to within its absolute rounding
      assert.ok(Math.abs(result.pValue - value(c.z[2])) < 1e-15);
    }
  });
});

describe('chi-square tests, hand-checked values', () => {
  it('reproduces the scipy.stats.chisquare documentation example', () => {
    const result = chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12], new Array<number>(6).fill(88 / 6));
    assert.ok(isClose(result.statistic, 2, 1e-14));
    assert.equal(result.dof, 5);
    assert.ok(isClose(result.pValue, 0.8491450360846096, 1e-12));
  });

  it('gives an infinite statistic and p-value 0 for an observation where none is expected', () => {
    const result = chiSquareGoodnessOfFit([5, 5, 1], [5.5, 5.5, 0]);
    assert.equal(result.statistic, Infinity);
    assert.equal(result.pValue, 0);
    const evidently = evidentlyChiSquare({ a: 10, b: 10 }, { a: 5, b: 4, c: 1 });
    assert.equal(evidently.statistic, Infinity);
    assert.equal(evidently.pValue, 0);
    assert.equal(evidently.dof, 2);
  });

  it('applies Yates only at dof 1 and not past zero, as scipy.stats.chi2_contingency', () => {
    // scipy.stats.chi2_contingency([[10, 20], [20, 10]]): 5.4, p 0.0201
    const yates = chiSquareContingency([[10, 20], [20, 10]]);
    assert.ok(isClose(yates.statistic, 5.4, 1e-14));
    assert.equal(yates.dof, 1);
    assert.ok(isClose(yates.pValue, 0.02013675155034633, 1e-9));
    assert.ok(isClose(chiSquareContingency([[10, 20], [20, 10]], false).statistic, 20 / 3, 1e-14));
    // |O - E| = 0.5 everywhere: corrected to exactly 0
    assert.equal(chiSquareContingency([[10, 11], [11, 10]]).statistic, 0);
    assert.deepEqual(chiSquareContingency([[3, 4, 5]]), { statistic: 0, pValue: 1, dof: 0, expected: [[3, 4, 5]] });
    assert.throws(() => chiSquareContingency([[0, 0], [1, 2]]), RangeError);
  });

  it('returns z = 0, p = 1 when both samples are constant, and the sign of the reference minus current', () => {
    assert.deepEqual(twoProportionZTest(10, 10, 20, 20), { statistic: 0, pValue: 1 });
    const z = twoProportionZTest(30, 100, 50, 100);
    assert.ok(z.statistic < 0);
    assert.ok(isClose(z.statistic, -0.2 / Math.sqrt(0.4 * 0.6 * 0.02), 1e-14));
  });
});
