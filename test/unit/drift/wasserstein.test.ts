import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ksAndWasserstein } from '../../../src/drift/stats/ks.ts';
import { populationStd, wassersteinDistance, wassersteinNormed } from '../../../src/drift/stats/wasserstein.ts';
import { type SampleSpec, sampleFromSpec } from '../../drift/golden/ksSamples.ts';


interface WassersteinCase {
  a: SampleSpec;
  b: SampleSpec;
  distance: number;
  normed: number;
  note: string;
}

const golden = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/drift/wasserstein-golden.json'), 'utf8')) as {
  scipy: string;
  cases: WassersteinCase[];
};

/** 1e-9 absolute, or 1e-9 relative for magnitudes above 1. */
const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

describe('wassersteinDistance against scipy.stats.wasserstein_distance', () => {
  it(`matches ${golden.cases.length} golden cases (scipy ${golden.scipy}), and Evidently's normed statistic`, () => {
    assert.ok(golden.cases.length >= 200);
    assert.ok(golden.cases.some((c) => c.distance > 1e5));
    const failures: string[] = [];
    for (const c of golden.cases) {
      const a = sampleFromSpec(c.a);
      const b = sampleFromSpec(c.b);
      const distance = wassersteinDistance(a, b);
      const normed = wassersteinNormed(a, b);
      const both = ksAndWasserstein(a, b);
      if (!close(distance, c.distance) || !close(normed, c.normed) || both.wasserstein !== distance) {
        failures.push(`${c.note} ${JSON.stringify(c.a)} vs ${JSON.stringify(c.b)}: got ${distance} / ${normed}, scipy ${c.distance} / ${c.normed}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('is symmetric, zero for equal samples, and the shift for shifted ones', () => {
    const a = sampleFromSpec([5, 1000, 'irwin', 3, 1, 0]);
    const shifted = a.map((x) => x + 0.25);
    assert.equal(wassersteinDistance(a, a), 0);
    assert.ok(Math.abs(wassersteinDistance(a, shifted) - 0.25) < 1e-12);
    assert.equal(wassersteinDistance(a, shifted), wassersteinDistance(shifted, a));
    assert.equal(wassersteinDistance([0], [1, 3]), 2);
  });

  it('floors the reference standard deviation at 0.001 and handles degenerate inputs', () => {
    assert.equal(populationStd([1, 2, 3, 4]), Math.sqrt(1.25));
    assert.ok(Math.abs(wassersteinNormed([2, 2, 2], [2, 2, 3]) - 1 / 3 / 0.001) < 1e-9);
    assert.throws(() => wassersteinDistance([], [1]), RangeError);
    assert.ok(Number.isNaN(wassersteinDistance([1, Number.NaN], [1])));
  });
});
