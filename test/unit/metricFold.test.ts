import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricFold } from '../../src/runs/metricFold.ts';

const point = (name: string, step: number | undefined, value: number, time?: number) => ({ name, step, value, time });

describe('MetricFold', () => {
  it('keeps last value, highest step, min, max and count, ignoring NaN in min and max', () => {
    const fold = new MetricFold();
    for (const [step, value] of [[0, 0.9], [1, Number.NaN], [2, 0.2], [3, 0.5]] as const) fold.add(point('loss', step, value, 1000 + step));
    assert.deepEqual(fold.finish(), { loss: { last: 0.5, step: 3, min: 0.2, max: 0.9, count: 4, lastTime: 1003 } });
  });

  it('keeps the order in which metrics first appeared', () => {
    const fold = new MetricFold();
    fold.add(point('b', 0, 1));
    fold.add(point('a', 0, 1));
    fold.add(point('b', 1, 1));
    assert.deepEqual(Object.keys(fold.finish()), ['b', 'a']);
  });

  it('numbers missing steps after the highest one', () => {
    const fold = new MetricFold();
    fold.add(point('x', undefined, 1));
    fold.add(point('x', undefined, 2));
    fold.add(point('x', 10, 3));
    fold.add(point('x', undefined, 4));
    assert.deepEqual(fold.finish().x, { last: 4, step: 11, min: 1, max: 4, count: 4 });
  });

  it('asks for an exact fold when a step is repeated or goes back, without folding that point', () => {
    const fold = new MetricFold();
    fold.add(point('x', 5, 1));
    fold.add(point('x', 5, 2));
    fold.add(point('y', 0, 1));
    fold.add(point('y', 0, 9));
    fold.add(point('x', 3, 7));
    assert.deepEqual([...fold.needsExact], ['x', 'y']);
    assert.deepEqual(fold.finish().x, { last: 1, step: 5, min: 1, max: 1, count: 1 });
  });

  it('treats names like __proto__, constructor and toString as ordinary metrics', () => {
    const fold = new MetricFold({}, ['toString']);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      fold.add(point(name, undefined, 1));
      fold.add(point(name, undefined, 3));
    }
    const summaries = fold.finish();
    assert.deepEqual(Object.keys(summaries), ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    for (const name of Object.keys(summaries)) assert.deepEqual(summaries[name], { last: 3, step: 1, min: 1, max: 3, count: 2 }, name);
    assert.equal(Object.getPrototypeOf(summaries), Object.prototype);
    assert.equal(({} as { step?: unknown }).step, undefined, 'Object.prototype is untouched');
    assert.deepEqual([...fold.needsExact], []);
  });

  it('in exact mode the last line of a (name, step) wins, for last, min, max and count', () => {
    const fold = new MetricFold({}, ['x']);
    fold.add(point('x', 0, 5));
    fold.add(point('x', 1, 100)); // replaced below: must not remain the max
    fold.add(point('x', 2, 7));
    fold.add(point('x', 1, 6));
    fold.add(point('x', 2, 8)); // the highest step rewritten: the new last value
    assert.deepEqual(fold.finish().x, { last: 8, step: 2, min: 5, max: 8, count: 3 });
  });

  it('resumes from previous summaries without changing them', () => {
    const first = new MetricFold();
    first.add(point('x', 0, 3));
    const previous = first.finish();
    const resumed = new MetricFold(previous);
    resumed.add(point('x', 1, 1));
    assert.deepEqual(resumed.finish().x, { last: 1, step: 1, min: 1, max: 3, count: 2 });
    assert.deepEqual(previous.x, { last: 3, step: 0, min: 3, max: 3, count: 1 });
  });

  it('has NaN min and max when every value is NaN, and keeps infinities', () => {
    const fold = new MetricFold();
    fold.add(point('n', 0, Number.NaN));
    fold.add(point('i', 0, Infinity));
    fold.add(point('i', 1, 2));
    const summaries = fold.finish();
    assert.ok(Number.isNaN(summaries.n?.min) && Number.isNaN(summaries.n?.max) && Number.isNaN(summaries.n?.last));
    assert.deepEqual(summaries.i, { last: 2, step: 1, min: 2, max: Infinity, count: 2 });
  });
});
