import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ColumnSamples, type DriftMethod, METHODS, driftTest } from '../../../src/drift/columnDrift.ts';
import { compareColumn } from '../../../src/drift/compareColumn.ts';
import { prepareColumn } from '../../../src/drift/preparedColumn.ts';
import { sortFloat64 } from '../../../src/drift/stats/sortFloat64.ts';
import type { Column } from '../../../src/drift/table/csv.ts';
import { seededRandom } from '../../support/tempStore.ts';

const numeric = (values: ArrayLike<number>, integer = false): Column => ({ kind: 'numeric', name: 'x', values: Float64Array.from(values), integer });

test('sortFloat64 orders like the built-in sort: negatives, -0 before +0, subnormals, huge magnitudes, ties', () => {
  const random = seededRandom(3);
  const special = [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 1, 2 ** 53, -(2 ** 60)];
  for (const length of [0, 1, 10, 4095, 4096, 50_000]) {
    const values = Float64Array.from({ length }, (_, index) => (index < special.length ? (special[index] as number) : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6)));
    const expected = Float64Array.from(values).sort();
    const sorted = sortFloat64(values);
    assert.equal(sorted.length, length);
    for (let index = 0; index < length; index++) assert.ok(Object.is(sorted[index], expected[index]), `length ${length}, index ${index}: ${sorted[index]} vs ${expected[index]}`);
  }
  const sameHighBits = Float64Array.from({ length: 10_000 }, (_, index) => 1 + index * 2 ** -40);
  assert.deepEqual(Array.from(sortFloat64(sameHighBits.slice().reverse())), Array.from(sameHighBits));
});

const NUMERICAL_METHODS: DriftMethod[] = ['ks', 'wasserstein', 'psi', 'jensenshannon', 'hellinger', 'linf', 'chi2contingency', 'chisquare', 'ztest'];

test('the prepared path gives what each method gives on the raw samples, for every method and binning', () => {
  const random = seededRandom(9);
  const cases: Array<{ reference: number[]; current: number[] }> = [
    { reference: Array.from({ length: 3000 }, () => random() * 10), current: Array.from({ length: 2500 }, () => random() * 10 + 0.5) },
    { reference: Array.from({ length: 400 }, () => Math.round(random() * 30)), current: Array.from({ length: 350 }, () => Math.round(random() * 33)) },
    { reference: Array.from({ length: 200 }, () => Math.round(random() * 8) / 2), current: Array.from({ length: 90 }, () => Math.round(random() * 8) / 2) },
  ];
  for (const [index, { reference, current }] of cases.entries()) {
    const samples: ColumnSamples = { type: 'numerical', reference: Float64Array.from(reference), current: Float64Array.from(current) };
    for (const binning of ['sturges', { quantiles: 7 }] as const) {
      for (const method of NUMERICAL_METHODS) {
        const expected = driftTest(method, samples, binning);
        const comparison = compareColumn(prepareColumn(numeric(reference)), prepareColumn(numeric(current)), { method, binning, type: 'numerical' });
        assert.ok('result' in comparison, `case ${index} ${method}`);
        assert.ok(comparison.result.statistic === expected.statistic || Math.abs(comparison.result.statistic - expected.statistic) <= 1e-12 * Math.max(1, Math.abs(expected.statistic)), `case ${index} ${method}: ${comparison.result.statistic} vs ${expected.statistic}`);
        if (expected.pValue !== undefined) assert.ok(Math.abs((comparison.result.pValue as number) - expected.pValue) <= 1e-12, `case ${index} ${method} p`);
        assert.equal(comparison.result.threshold, METHODS[method].threshold);
      }
    }
  }
});

test('categorical columns: text against text, and numbers taken as text when the other side is text', () => {
  const reference: Column = { kind: 'categorical', name: 'x', dictionary: ['a', 'b', 'c', 'unused'], codes: Int32Array.from([0, 0, 1, 2, -1, 1, 0]) };
  const current: Column = { kind: 'numeric', name: 'x', values: Float64Array.from([1, 1, 2, Number.NaN]), integer: true };
  const comparison = compareColumn(prepareColumn(reference), prepareColumn(current), { method: 'chisquare', details: true });
  assert.ok('result' in comparison);
  const expected = driftTest('chisquare', { type: 'categorical', reference: ['a', 'a', 'b', 'c', 'b', 'a'], current: ['1', '1', '2'] });
  assert.equal(comparison.result.statistic, expected.statistic);
  assert.equal(comparison.result.type, 'categorical');
  assert.deepEqual(comparison.result.reference, { values: 6, missing: 1, infinite: 0 });
  assert.deepEqual(comparison.result.current, { values: 3, missing: 1, infinite: 0 });
  assert.ok(comparison.detail?.kind === 'categorical');
  assert.deepEqual(comparison.detail.distribution.labels, ['1', '2', 'a', 'b', 'c']);
});

test('a drill-down adds up: shares sum to 1, PSI and JS parts sum to the scores, the KS point sits on both ECDFs', () => {
  const random = seededRandom(21);
  const reference = Array.from({ length: 5000 }, () => random() * 4);
  const current = Array.from({ length: 4000 }, () => random() * 4 + (random() < 0.3 ? 1.5 : 0));
  const comparison = compareColumn(prepareColumn(numeric(reference)), prepareColumn(numeric(current)), { details: true });
  assert.ok('result' in comparison && comparison.detail?.kind === 'numerical');
  const { distribution, ks, ecdf, scores } = comparison.detail;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  assert.ok(Math.abs(sum(distribution.reference) - 1) < 1e-12 && Math.abs(sum(distribution.current) - 1) < 1e-12);
  assert.ok(Math.abs(sum(distribution.psi) - (scores.psi?.statistic as number)) < 1e-12);
  assert.ok(Math.abs(Math.sqrt(sum(distribution.js) / 2) - (scores.jensenshannon?.statistic as number)) < 1e-12);
  assert.equal(ks.statistic, scores.ks?.statistic);
  assert.ok(Math.abs(Math.abs(ks.reference - ks.current) - ks.statistic) < 1e-9);
  const below = (values: number[], x: number) => values.filter((value) => value <= x).length / values.length;
  assert.equal(ks.reference, below(reference, ks.at));
  for (let index = 0; index < ecdf.x.length; index += 37) assert.equal(ecdf.current[index], below(current, ecdf.x[index] as number));
  assert.ok(comparison.detail.summary.current.mean > comparison.detail.summary.reference.mean);
});

test('many categories are folded into one "more" bar that keeps the shares', () => {
  const names = Array.from({ length: 300 }, (_, index) => `c${index}`);
  const reference: Column = { kind: 'categorical', name: 'x', dictionary: names, codes: Int32Array.from({ length: 3000 }, (_, index) => index % 300) };
  const current: Column = { kind: 'categorical', name: 'x', dictionary: names, codes: Int32Array.from({ length: 3000 }, (_, index) => (index % 2 ? 7 : index % 300)) };
  const comparison = compareColumn(prepareColumn(reference), prepareColumn(current), { details: true });
  assert.ok('result' in comparison && comparison.detail?.kind === 'categorical');
  const { distribution } = comparison.detail;
  assert.equal(distribution.labels.length, 40);
  assert.equal(distribution.folded, 261);
  assert.ok(distribution.labels.includes('c7'));
  assert.ok(Math.abs(distribution.current.reduce((total, share) => total + share, 0) - 1) < 1e-9);
});

test('a column of ISO dates or times is skipped, not compared, unless a type is forced', () => {
  const times = (start: number): Column => ({ kind: 'categorical', name: 'x', dictionary: Array.from({ length: 50 }, (_, index) => new Date(start + index * 3_600_000).toISOString()), codes: Int32Array.from({ length: 50 }, (_, index) => index) });
  const skipped = compareColumn(prepareColumn(times(0)), prepareColumn(times(86_400_000 * 30)));
  assert.ok('skipped' in skipped && /dates and times are not compared/.test(skipped.skipped.reason));
  assert.ok('result' in compareColumn(prepareColumn(times(0)), prepareColumn(times(86_400_000 * 30)), { type: 'categorical' }));
  const dates: Column = { kind: 'categorical', name: 'x', dictionary: ['2026-01-01', '2026-01-02', 'soon'], codes: Int32Array.from([0, 1, 2]) };
  assert.ok('result' in compareColumn(prepareColumn(dates), prepareColumn(dates)), 'one value that is not a date makes it text');
});
