import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ColumnSamples, autoMethod } from '../../../src/drift/columnDrift.ts';
import { datasetDrift } from '../../../src/drift/datasetDrift.ts';
import type { Column } from '../../../src/drift/table/csv.ts';
import { seededRandom } from '../../support/tempStore.ts';

/** Irwin–Hall(4) samples, as test/drift/golden/golden_random.py makes them: bit-identical to numpy's side. */
function irwin(seed: number, n: number, shift: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: n }, () => {
    let sum = 0;
    for (let term = 0; term < 4; term++) sum += random();
    return sum - 2 + shift;
  });
}

const numeric = (name: string, values: ArrayLike<number>, integer = false): Column => ({ kind: 'numeric', name, values: Float64Array.from(values), integer });
const categorical = (name: string, values: Array<string | null>): Column => {
  const dictionary = [...new Set(values.filter((value): value is string => value !== null))];
  return { kind: 'categorical', name, dictionary, codes: Int32Array.from(values, (value) => (value === null ? -1 : dictionary.indexOf(value))) };
};
const repeat = <T>(count: number, make: (index: number) => T) => Array.from({ length: count }, (_, index) => make(index));

test("auto picks Evidently's default test from the reference size and the distinct values", () => {
  const numbers = (n: number, distinct: number): ColumnSamples => ({ type: 'numerical', reference: Float64Array.from(repeat(n, (index) => index % distinct)), current: Float64Array.from([0, 1]) });
  const categories = (n: number, distinct: number): ColumnSamples => ({ type: 'categorical', reference: repeat(n, (index) => `c${index % distinct}`), current: ['c0'] });
  assert.equal(autoMethod(numbers(1000, 50)), 'ks');
  assert.equal(autoMethod(numbers(1000, 4)), 'chisquare');
  assert.equal(autoMethod(numbers(1000, 2)), 'ztest');
  assert.equal(autoMethod(categories(500, 3)), 'chisquare');
  assert.equal(autoMethod(categories(500, 2)), 'ztest');
  assert.equal(autoMethod(numbers(1001, 50)), 'wasserstein');
  assert.equal(autoMethod(numbers(1001, 5)), 'jensenshannon');
  assert.equal(autoMethod(categories(1001, 30)), 'jensenshannon');
});

test('scores match scipy on the same samples (values computed with Debian scipy 1.10.1)', () => {
  const reference = [numeric('w', irwin(11, 2000, 0)), numeric('js', irwin(11, 2000, 0)), numeric('ks', irwin(11, 2000, 0).subarray(0, 800))];
  const current = [numeric('w', irwin(12, 1500, 0.25)), numeric('js', irwin(12, 1500, 0.25)), numeric('ks', irwin(12, 1500, 0.25).subarray(0, 900))];
  const result = datasetDrift(reference, current, { columnOptions: { js: { method: 'jensenshannon' } } });
  const byName = new Map(result.columns.map((column) => [column.name, column]));
  assert.equal(byName.get('w')?.method, 'wasserstein');
  assert.ok(Math.abs((byName.get('w')?.statistic as number) - 0.39908128414958693) < 1e-12);
  assert.equal(byName.get('w')?.pValue, undefined, 'a distance has no p-value');
  assert.ok(Math.abs((byName.get('js')?.statistic as number) - 0.14337497229805587) < 1e-12);
  assert.equal(byName.get('ks')?.method, 'ks');
  assert.ok(Math.abs((byName.get('ks')?.pValue as number) / 5.2970937097575224e-11 - 1) < 1e-6);
  assert.deepEqual([...byName.values()].map((column) => column.drift), [true, true, true]);
  assert.equal(result.datasetDrift, true);
});

test('types as Evidently infers them; missing values and infinities are dropped and counted', () => {
  const reference = [numeric('few ints', repeat(100, (index) => index % 3), true), numeric('many ints', repeat(100, (index) => index % 11), true), categorical('text', repeat(100, (index) => (index % 10 === 0 ? null : `t${index % 4}`))), numeric('floats', [...repeat(98, (index) => index / 7), Number.NaN, Infinity])];
  const current = [numeric('few ints', repeat(100, (index) => index % 3), true), numeric('many ints', repeat(100, (index) => index % 11), true), categorical('text', repeat(100, (index) => `t${index % 4}`)), numeric('floats', [...repeat(97, (index) => index / 7), -Infinity, Number.NaN, Number.NaN])];
  const result = datasetDrift(reference, current);
  const byName = new Map(result.columns.map((column) => [column.name, column]));
  assert.equal(byName.get('few ints')?.type, 'categorical');
  assert.equal(byName.get('few ints')?.method, 'chisquare');
  assert.equal(byName.get('many ints')?.type, 'numerical');
  assert.equal(byName.get('text')?.type, 'categorical');
  assert.deepEqual(byName.get('text')?.reference, { values: 90, missing: 10, infinite: 0 });
  assert.deepEqual(byName.get('floats')?.reference, { values: 98, missing: 1, infinite: 1 });
  assert.deepEqual(byName.get('floats')?.current, { values: 97, missing: 2, infinite: 1 });
  assert.equal(result.drifted, 0);
  assert.equal(result.datasetDrift, false);
});

test('the dataset drifts when at least half its columns do; corrections adjust test p-values', () => {
  const shifted = [numeric('a', irwin(1, 300, 0)), numeric('b', irwin(2, 300, 0))];
  const later = [numeric('a', irwin(3, 300, 0.3)), numeric('b', irwin(4, 300, 0))];
  const plain = datasetDrift(shifted, later);
  assert.deepEqual(plain.columns.map((column) => column.drift), [true, false]);
  assert.equal(plain.share, 0.5);
  assert.equal(plain.datasetDrift, true, 'a share of 0.5 reaches the default drift share');
  const corrected = datasetDrift(shifted, later, { correction: 'bonferroni' });
  assert.deepEqual(corrected.columns.map((column) => column.pValue), plain.columns.map((column) => Math.min(1, (column.pValue as number) * 2)));
  assert.deepEqual(corrected.columns.map((column) => column.statistic), plain.columns.map((column) => column.statistic), 'statistics are not corrected');
  assert.equal(datasetDrift(shifted, later, { driftShare: 0.75 }).datasetDrift, false);
});

test('only the columns asked for are compared', () => {
  const result = datasetDrift([numeric('a', [1, 2, 3]), numeric('b', [1, 2, 3])], [numeric('a', [1, 2, 3]), numeric('b', [1, 2, 3])], { only: ['b', 'missing'] });
  assert.deepEqual(result.columns.map((column) => column.name), ['b']);
  assert.deepEqual(result.skipped, [{ name: 'missing', reason: 'in neither table' }]);
});

test('columns only on one side, or with nothing left, are skipped with the reason', () => {
  const result = datasetDrift([numeric('x', [1, 2, 3]), numeric('gone', [Number.NaN])], [numeric('gone', [1]), numeric('new', [4])]);
  assert.deepEqual(result.skipped.map((skip) => skip.name), ['x', 'gone', 'new']);
  assert.match(result.skipped[1]?.reason ?? '', /no values left in the reference/);
  assert.equal(result.datasetDrift, false);
});
