import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramCounts, sturgesEdges } from '../../../src/drift/stats/binning.ts';
import {
  fillZeroes, hellingerDistance, jensenShannonDistance, lInfinityDistance, populationStabilityIndex,
} from '../../../src/drift/stats/distances.ts';
import { golden, isClose, sampleOf, value, type GoldenDistances } from '../../drift/golden/goldenStats.ts';

/** Statistics: 1e-9 absolute, or 1e-12 relative for large ones. */
function checkDistances(label: string, referenceCounts: number[], currentCounts: number[], expected: GoldenDistances): string[] {
  const failures: string[] = [];
  const actual = {
    psi: populationStabilityIndex(referenceCounts, currentCounts),
    js: jensenShannonDistance(referenceCounts, currentCounts),
    js2: jensenShannonDistance(referenceCounts, currentCounts, 2),
    hellinger: hellingerDistance(referenceCounts, currentCounts),
    linf: lInfinityDistance(referenceCounts, currentCounts),
  };
  for (const key of Object.keys(actual) as (keyof GoldenDistances)[]) {
    if (!isClose(actual[key], value(expected[key]), 1e-12, 1e-9)) {
      failures.push(`${label} ${key}: ${actual[key]} vs ${value(expected[key])}`);
    }
  }
  return failures;
}

describe('distances, golden against Evidently formulas / scipy.spatial.distance.jensenshannon on Sturges-binned samples', () => {
  it('matches on numeric samples binned with Sturges edges over the combined data', () => {
    const failures: string[] = [];
    for (const [i, c] of golden.numeric.entries()) {
      const reference = sampleOf(c.reference);
      const current = sampleOf(c.current);
      const edges = sturgesEdges([...reference, ...current]);
      failures.push(...checkDistances(`numeric #${i}`, histogramCounts(reference, edges), histogramCounts(current, edges), c.distances));
    }
    assert.deepEqual(failures, []);
  });

  it('matches on category counts, including categories missing on one side (PSI zero filling)', () => {
    const failures: string[] = [];
    for (const [i, c] of golden.categorical.entries()) {
      failures.push(...checkDistances(`categorical #${i}`, c.referenceCounts, c.currentCounts, c.distances));
    }
    assert.ok(golden.categorical.some((c) => c.referenceCounts.includes(0)), 'a zero reference share is covered');
    assert.deepEqual(failures, []);
  });
});

describe('distances, hand-checked values', () => {
  it("fills zero shares with Evidently's feel_zeroes rule, separately per side", () => {
    assert.deepEqual(fillZeroes([0.5, 0, 0.5]), [0.5, 1e-4, 0.5]);
    assert.deepEqual(fillZeroes([0.99995, 0, 0.00005]), [0.99995, 0.00005 / 1e6, 0.00005]);
    assert.deepEqual(fillZeroes([0.9999, 0, 0.0001]), [0.9999, 0.0001 / 1e6, 0.0001]);
    // PSI of [0.5, 0.5, 0] against [0.25, 0.25, 0.5]
    const expected = 2 * (0.25 * Math.log(2)) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    assert.ok(isClose(populationStabilityIndex([2, 2, 0], [1, 1, 2]), expected, 1e-14));
  });

  it('is 0 for identical histograms and maximal for disjoint ones', () => {
    for (const distanceOf of [jensenShannonDistance, hellingerDistance, lInfinityDistance]) {
      assert.equal(distanceOf([1, 2, 3], [2, 4, 6]), 0);
    }
    assert.equal(populationStabilityIndex([1, 2, 3], [2, 4, 6]), 0);
    assert.ok(isClose(jensenShannonDistance([1, 0], [0, 1], 2), 1, 1e-15));
    assert.ok(isClose(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.log(2)), 1e-15));
    assert.equal(hellingerDistance([3, 0], [0, 5]), 1);
    assert.equal(lInfinityDistance([3, 0], [0, 5]), 1);
    assert.throws(() => hellingerDistance([1, 2], [1, 2, 3]), RangeError);
  });

  it('normalizes each side before comparing', () => {
    assert.ok(isClose(lInfinityDistance([1, 1, 2], [10, 30, 60]), 0.15, 1e-15));
    assert.ok(isClose(hellingerDistance([1, 3], [3, 1]), Math.sqrt(1 - 2 * Math.sqrt(3 / 16)), 1e-15));
  });
});
