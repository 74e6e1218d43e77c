import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWindow } from '../../../src/drift/chunkWindow.ts';
import { driftOverTime } from '../../../src/drift/overTime.ts';
import type { Column } from '../../../src/drift/table/csv.ts';
import { seededRandom } from '../../support/tempStore.ts';

const numeric = (name: string, values: ArrayLike<number>): Column => ({ kind: 'numeric', name, values: Float64Array.from(values), integer: false });
const text = (name: string, values: string[]): Column => {
  const dictionary = [...new Set(values)];
  return { kind: 'categorical', name, dictionary, codes: Int32Array.from(values, (value) => dictionary.indexOf(value)) };
};

function uniform(seed: number, n: number, shift = 0): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => random() * 10 + shift);
}

test('windows: durations and row counts', () => {
  assert.deepEqual(parseWindow('1h'), { milliseconds: 3_600_000, label: '1h' });
  assert.deepEqual(parseWindow('7d'), { milliseconds: 604_800_000, label: '7d' });
  assert.deepEqual(parseWindow('500'), { rows: 500 });
  for (const bad of ['0', '-1h', '1y', 'h', '1.5']) assert.equal(parseWindow(bad), undefined, bad);
});

test('row windows: the shifted last chunk drifts, the others do not', () => {
  const reference = [numeric('x', uniform(1, 600))];
  const current = [numeric('x', [...uniform(2, 200), ...uniform(3, 200), ...uniform(4, 200, 4)])];
  const result = driftOverTime(reference, current, { rows: 200 });
  assert.deepEqual(result.chunks.map((chunk) => [chunk.start, chunk.end, chunk.rows]), [[0, 199, 200], [200, 399, 200], [400, 599, 200]]);
  assert.deepEqual(result.chunks.map((chunk) => chunk.result.columns[0]?.drift), [false, false, true]);
});

test('time windows group rows by day, from ISO text or epoch seconds; unreadable times are counted', () => {
  const day = 86_400_000;
  const days = Array.from({ length: 300 }, (_, index) => new Date(Date.UTC(2026, 0, 1) + Math.floor(index / 100) * day + index * 1000).toISOString());
  days[5] = 'not a time';
  const values = [...uniform(5, 100), ...uniform(6, 100, 5), ...uniform(7, 100)];
  const reference = [numeric('x', uniform(8, 500)), text('when', Array(500).fill('2025-12-01T00:00:00Z'))];
  const iso = driftOverTime(reference, [numeric('x', values), text('when', days)], parseWindow('1d')!, { timeColumn: 'when' });
  assert.equal(iso.chunks.length, 3);
  assert.equal(iso.untimedRows, 1);
  assert.equal(iso.chunks[0]?.start, Date.UTC(2026, 0, 1));
  assert.deepEqual(iso.chunks.map((chunk) => chunk.rows), [99, 100, 100]);
  assert.deepEqual(iso.chunks.map((chunk) => chunk.result.columns.map((column) => column.name)), [['x'], ['x'], ['x']], 'the time column is not tested');
  assert.deepEqual(iso.chunks.map((chunk) => chunk.result.datasetDrift), [false, true, false]);
  const seconds = driftOverTime([numeric('x', uniform(8, 500)), numeric('t', Array(500).fill(0))], [numeric('x', values), numeric('t', days.map((time, index) => (index === 5 ? Number.NaN : Date.parse(time) / 1000)))], parseWindow('1d')!, { timeColumn: 't' });
  assert.deepEqual(seconds.chunks.map((chunk) => chunk.rows), [99, 100, 100]);
});

test('the chunks baseline flags a chunk past the reference chunks mean + 3 std', () => {
  const reference = [numeric('x', uniform(9, 2000))];
  const current = [numeric('x', [...uniform(10, 500), ...uniform(11, 500, 1)])];
  const result = driftOverTime(reference, current, { rows: 500 }, { method: 'wasserstein', baseline: 'chunks' });
  const baseline = result.baseline?.[0];
  assert.ok(baseline && baseline.bound === baseline.mean + 3 * baseline.std);
  assert.equal(result.chunks[0]?.result.columns[0]?.threshold, baseline?.bound);
  assert.deepEqual(result.chunks.map((chunk) => chunk.result.columns[0]?.drift), [false, true]);
});
