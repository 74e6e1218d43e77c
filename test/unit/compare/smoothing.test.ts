import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SMOOTHING, emaSmooth } from '../../../src/compare/smoothing.ts';
import { seededRandom } from '../../support/tempStore.ts';

function assertClose(actual: Float64Array, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, index) => {
    if (!Number.isFinite(value)) assert.equal(actual[index], value, `index ${index}`);
    else assert.ok(Math.abs((actual[index] as number) - value) < 1e-12, `index ${index}: ${actual[index]} !== ${value}`);
  });
}

/** TensorBoard's smoothing as it reads in its source, the power taken for every point. */
function tensorBoardSmooth(ys: number[], weight: number): number[] {
  const first = ys.find(Number.isFinite);
  const isConstant = ys.every((y) => !Number.isFinite(y) || y === first);
  let last = 0;
  let numAccum = 0;
  return ys.map((y) => {
    if (isConstant || !Number.isFinite(y)) return y;
    last = last * weight + (1 - weight) * y;
    numAccum++;
    return last / (1 - weight ** numAccum);
  });
}

describe('emaSmooth', () => {
  it('debiases the moving average as TensorBoard does', () => {
    // weight 0.5: last = 0.5, 1.25, 2.125, 3.0625; debias = 0.5, 0.75, 0.875, 0.9375.
    assertClose(emaSmooth([1, 2, 3, 4], 0.5), [1, 5 / 3, 17 / 7, 49 / 15]);
    // weight 0.6: last = 4, 2.4; debias = 0.4, 0.64.
    assertClose(emaSmooth([10, 0], DEFAULT_SMOOTHING), [10, 3.75]);
  });

  it('passes NaN and infinities through without feeding them into the average', () => {
    // weight 0.5: last = 0.5, then 1.75 with debias 0.75.
    assertClose(emaSmooth([1, Number.NaN, 3, Infinity], 0.5), [1, Number.NaN, 7 / 3, Infinity]);
  });

  it('leaves a constant series, and any series at weight 0, as it is', () => {
    assertClose(emaSmooth([5, 5, Number.NaN, 5], 0.9), [5, 5, Number.NaN, 5]);
    assertClose(emaSmooth([3, 1, 2], 0), [3, 1, 2]);
    assertClose(emaSmooth([3, 1, 2], -1), [3, 1, 2]);
    assertClose(emaSmooth([3, 1, 2], Number.NaN), [3, 1, 2]);
    assertClose(emaSmooth([], 0.6), []);
  });

  it('clamps the weight to 0.999', () => {
    assert.deepEqual(emaSmooth([3, 1, 2], 1), emaSmooth([3, 1, 2], 0.999));
  });

  it('matches TensorBoard exactly over a long series', () => {
    const random = seededRandom(3);
    const ys = Array.from({ length: 100_000 }, (_, index) => (index % 997 === 0 ? Number.NaN : random()));
    for (const weight of [0.6, 0.95, 0.999]) assert.deepEqual([...emaSmooth(ys, weight)], tensorBoardSmooth(ys, weight), `weight ${weight}`);
  });
});
