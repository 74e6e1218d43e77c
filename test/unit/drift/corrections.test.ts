import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benjaminiHochberg, bonferroni } from '../../../src/drift/stats/corrections.ts';
import { golden, isClose, value } from '../../drift/golden/goldenStats.ts';

describe('multiple-testing corrections, golden against the statsmodels multipletests algorithm in numpy', () => {
  it('matches Bonferroni and Benjamini-Hochberg adjusted p-values', () => {
    assert.ok(golden.corrections.length >= 5);
    for (const c of golden.corrections) {
      const pValues = c.pValues.map(value);
      const bonferroniActual = bonferroni(pValues);
      const bhActual = benjaminiHochberg(pValues);
      c.bonferroni.map(value).forEach((expected, i) => assert.ok(isClose(bonferroniActual[i]!, expected, 1e-15), `bonferroni ${i}`));
      c.bh.map(value).forEach((expected, i) => assert.ok(isClose(bhActual[i]!, expected, 1e-15), `bh ${i}: ${bhActual[i]} vs ${expected}`));
    }
  });
});

describe('multiple-testing corrections, hand-checked values', () => {
  it('caps Bonferroni at 1', () => {
    assert.deepEqual(bonferroni([0.01, 0.2, 0.5]), [0.03, 0.6000000000000001, 1]);
    assert.deepEqual(bonferroni([]), []);
  });

  it('makes Benjamini-Hochberg monotone in the p-values and keeps the input order', () => {
    // sorted 0.01, 0.02, 0.03, 0.5 -> raw 0.04, 0.04, 0.04, 0.5
    assert.deepEqual(benjaminiHochberg([0.5, 0.03, 0.01, 0.02]), [0.5, 0.04, 0.04, 0.04]);
    // running minimum from the top: the raw 0.1 * 3 = 0.3 at rank 1 is lowered to the 0.15 of rank 2
    assert.deepEqual(benjaminiHochberg([0.1, 0.1, 0.9]), [0.15000000000000002, 0.15000000000000002, 0.9]);
    assert.deepEqual(benjaminiHochberg([0.9, 0.95]), [0.95, 0.95]);
    assert.deepEqual(benjaminiHochberg([]), []);
  });
});
