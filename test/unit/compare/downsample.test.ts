import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downsampleSeries, lttb, rangeOf } from '../../../src/compare/downsample.ts';
import { seededRandom } from '../../support/tempStore.ts';

function randomSeries(points: number, seed: number, nonFiniteShare = 0): { xs: Float64Array; ys: Float64Array } {
  const random = seededRandom(seed);
  const xs = new Float64Array(points);
  const ys = new Float64Array(points);
  const nonFinite = [Number.NaN, Infinity, -Infinity];
  for (let index = 0; index < points; index++) {
    xs[index] = index * 2 + random();
    ys[index] = random() < nonFiniteShare ? (nonFinite[index % 3] as number) : (random() - 0.5) * 100;
  }
  return { xs, ys };
}

function isAscending(indices: Uint32Array): boolean {
  return indices.every((index, position) => position === 0 || index > (indices[position - 1] as number));
}

const finiteValues = (values: ArrayLike<number>) => Array.from(values).filter(Number.isFinite);

describe('lttb', () => {
  it('keeps the first and the last point, ascending, at most threshold points, the same every time', () => {
    const { xs, ys } = randomSeries(10_000, 1);
    const indices = lttb(xs, ys, 100);
    assert.equal(indices.length, 100);
    assert.equal(indices[0], 0);
    assert.equal(indices.at(-1), 9999);
    assert.ok(isAscending(indices));
    assert.deepEqual(lttb(xs, ys, 100), indices);
  });

  it('returns every point of a range no longer than the threshold', () => {
    const { xs, ys } = randomSeries(50, 2);
    assert.deepEqual([...lttb(xs, ys, 50)], Array.from({ length: 50 }, (_, index) => index));
    assert.deepEqual([...lttb(xs, ys, 100, 10, 20)], Array.from({ length: 10 }, (_, index) => 10 + index));
    assert.deepEqual([...lttb(xs, ys, 100, 5, 5)], []);
  });

  it('stays within the range it is given', () => {
    const { xs, ys } = randomSeries(5000, 3);
    const indices = lttb(xs, ys, 40, 1000, 3000);
    assert.equal(indices.length, 40);
    assert.equal(indices[0], 1000);
    assert.equal(indices.at(-1), 2999);
    assert.ok(isAscending(indices));
  });

  it('never chooses a NaN or infinite point, keeping the first and last finite ones', () => {
    const { xs, ys } = randomSeries(10_000, 4, 0.2);
    ys[0] = Number.NaN;
    ys[9999] = Infinity;
    const indices = lttb(xs, ys, 300);
    assert.equal(indices.length, 300);
    assert.ok(isAscending(indices));
    assert.ok([...indices].every((index) => Number.isFinite(ys[index])));
    assert.equal(indices[0], ys.findIndex(Number.isFinite));
    assert.equal(indices.at(-1), ys.findLastIndex(Number.isFinite));
  });

  it('returns only the finite points when no more than the threshold are left', () => {
    const xs = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const ys = Float64Array.from([Number.NaN, 1, Infinity, 3, -Infinity, 5]);
    assert.deepEqual([...lttb(xs, ys, 3)], [1, 3, 5]);
  });
});

describe('downsampleSeries', () => {
  it('keeps the global extremes that plain LTTB drops', () => {
    const points = 1000;
    const xs = Float64Array.from({ length: points }, (_, index) => index);
    const ys = new Float64Array(points);
    // In one bucket the deeper dip wins the triangle, and the peak beside it is lost.
    ys[500] = -10;
    ys[501] = 9.9;
    assert.ok(!lttb(xs, ys, 20).includes(501), 'plain LTTB loses the peak');
    const { indices } = downsampleSeries(xs, ys, 20);
    assert.ok(indices.includes(500) && indices.includes(501));
    assert.ok(isAscending(indices));
    assert.ok(indices.length <= 22);
  });

  it('keeps the lowest and highest finite values of random ranges', () => {
    for (let seed = 10; seed < 30; seed++) {
      const { xs, ys } = randomSeries(3000, seed, 0.05);
      const [from, to] = [seed * 7, 3000 - seed * 11];
      const { indices } = downsampleSeries(xs, ys, 64, from, to);
      const kept = [...indices].map((index) => ys[index] as number);
      const all = finiteValues(ys.subarray(from, to));
      assert.equal(Math.min(...kept), Math.min(...all), `seed ${seed}`);
      assert.equal(Math.max(...kept), Math.max(...all), `seed ${seed}`);
      assert.ok(isAscending(indices) && indices[0]! >= from && indices.at(-1)! < to);
    }
  });

  it('adds a min/max band that matches a brute force over each bucket', () => {
    const { xs, ys } = randomSeries(10_007, 5, 0.1);
    ys.fill(Number.NaN, 2000, 2300);
    const [from, to] = [3, 10_001];
    const { band } = downsampleSeries(xs, ys, 200, from, to);
    assert.ok(band);
    assert.equal(band.x.length, 100);
    const count = to - from;
    for (let bucket = 0; bucket < 100; bucket++) {
      const start = from + Math.floor((bucket * count) / 100);
      const end = from + Math.floor(((bucket + 1) * count) / 100);
      const bucketXs = Array.from(xs.subarray(start, end));
      const bucketYs = finiteValues(ys.subarray(start, end));
      assert.ok(Math.abs((band.x[bucket] as number) - bucketXs.reduce((sum, x) => sum + x, 0) / bucketXs.length) < 1e-9);
      assert.deepEqual([band.min[bucket], band.max[bucket]], bucketYs.length ? [Math.min(...bucketYs), Math.max(...bucketYs)] : [Number.NaN, Number.NaN]);
    }
    assert.ok(band.min.some(Number.isNaN), 'a bucket of NaN only has no band');
  });

  it('adds no band when every point is kept', () => {
    const { xs, ys } = randomSeries(100, 6);
    assert.deepEqual(downsampleSeries(xs, ys, 100), { indices: lttb(xs, ys, 100) });
    assert.equal(downsampleSeries(xs, ys, 99).band?.x.length, 49);
  });
});

describe('rangeOf', () => {
  const xs = Float64Array.from([0, 10, 20, 30, 40]);

  it('takes the points inside, and one more on each side where there is one', () => {
    assert.deepEqual(rangeOf(xs, 12, 28), [1, 4]);
    assert.deepEqual(rangeOf(xs, 10, 30), [0, 5]);
    assert.deepEqual(rangeOf(xs, -100, 100), [0, 5]);
  });

  it('reaches the edges of a view that starts or ends beyond the data, or falls between two points', () => {
    assert.deepEqual(rangeOf(xs, -5, 5), [0, 2]);
    assert.deepEqual(rangeOf(xs, 35, 60), [3, 5]);
    assert.deepEqual(rangeOf(xs, 50, 60), [4, 5]);
    assert.deepEqual(rangeOf(xs, 13, 17), [1, 3]);
    assert.deepEqual(rangeOf(new Float64Array(0), 0, 1), [0, 0]);
  });
});
