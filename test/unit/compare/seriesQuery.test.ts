import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reduceSeries } from '../../../src/compare/seriesQuery.ts';
import type { MetricSeries } from '../../../src/runs/metricSeries.ts';

function series(count: number, value: (step: number) => number, time?: (step: number) => number): MetricSeries {
  const steps = Float64Array.from({ length: count }, (_, index) => index);
  return { steps, values: steps.map(value), times: steps.map((step) => (time ? time(step) : Number.NaN)) };
}

test('a short series is sent whole, without non-finite values', () => {
  const reduced = reduceSeries('r', series(5, (step) => (step === 2 ? Number.NaN : step * 2)), { xAxis: 'step', range: null, maxPoints: 100 });
  assert.deepEqual(reduced.payload.x, [0, 1, 3, 4]);
  assert.deepEqual(reduced.payload.y, [0, 2, 6, 8]);
  assert.equal(reduced.payload.band, undefined);
  assert.equal(reduced.lastStep, 4);
});

test('a long series is reduced to about maxPoints with a band, and a range asks for that range only', () => {
  const long = series(100_000, (step) => Math.sin(step / 100) + (step === 54_321 ? 10 : 0));
  const reduced = reduceSeries('r', long, { xAxis: 'step', range: null, maxPoints: 1000 });
  assert.ok(reduced.payload.x.length <= 1002 && reduced.payload.x.length >= 900, `${reduced.payload.x.length} points`);
  assert.ok(reduced.payload.y.includes(Math.sin(543.21) + 10), 'the spike survives the reduction');
  assert.equal(reduced.payload.total, 100_000);
  assert.ok(reduced.payload.band && reduced.payload.band.x.length > 0);
  const zoomed = reduceSeries('r', long, { xAxis: 'step', range: [1000, 1500], maxPoints: 1000 });
  assert.equal(zoomed.payload.total, 503, 'the range plus one point either side, in full detail');
  assert.equal(zoomed.payload.x[0], 999);
  assert.equal(zoomed.payload.x.at(-1), 1501);
});

test('time axes: wall time in ms, relative time in seconds from the run start; untimed points are left out', () => {
  const timed = series(4, (step) => step, (step) => (step === 1 ? Number.NaN : 10_000 + step * 2000));
  assert.deepEqual(reduceSeries('r', timed, { xAxis: 'wall', range: null, maxPoints: 10 }).payload.x, [10_000, 14_000, 16_000]);
  assert.deepEqual(reduceSeries('r', timed, { xAxis: 'relative', range: null, maxPoints: 10, startTime: 8_000 }).payload.x, [2, 6, 8]);
  assert.deepEqual(reduceSeries('r', timed, { xAxis: 'relative', range: null, maxPoints: 10 }).payload.x, [0, 4, 6]);
});

test('live appends carry only the points after the last step sent', () => {
  const reduced = reduceSeries('r', series(10, (step) => step), { xAxis: 'step', range: null, maxPoints: 2, afterStep: 6 });
  assert.deepEqual(reduced.payload.x, [7, 8, 9]);
  assert.equal(reduced.lastStep, 9);
});
