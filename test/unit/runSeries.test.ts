import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readRunSeries } from '../../src/runs/runSeries.ts';
import { SERIES_CACHE_MIN_BYTES, seriesCacheDir, syncSeriesCache } from '../../src/runs/seriesCache.ts';
import { jsonl, tempDir, writeRunFiles } from '../support/tempStore.ts';

function bigMetrics(steps: number, from = 0): string {
  const lines: string[] = [];
  for (let step = from; step < from + steps; step++) {
    lines.push(JSON.stringify({ name: 'train/loss', step, value: 1 / (step + 1), time: 1_700_000_000_000 + step * 1000 }));
    lines.push(JSON.stringify({ name: 'acc', step, value: step / 1e6 }));
  }
  return lines.join('\n') + '\n';
}

test('small runs are parsed directly: sorted by step, the last line for a step wins, left-out steps continue', () => {
  const store = tempDir();
  const dir = writeRunFiles(store, 'r1', {
    metrics: jsonl(
      { name: 'loss', step: 2, value: 0.5 },
      { name: 'loss', step: 0, value: 0.9, time: 1000 },
      { name: 'other', value: 7 },
      { name: 'loss', step: 2, value: 0.4 },
      { name: 'loss', value: 'NaN' },
      'not json',
    ),
  });
  const series = readRunSeries(dir, seriesCacheDir(store, 'r1'), ['loss', 'missing']);
  assert.deepEqual([...series.keys()], ['loss']);
  const loss = series.get('loss')!;
  assert.deepEqual([...loss.steps], [0, 2, 3]);
  assert.deepEqual([...loss.values].map(String), ['0.9', '0.4', 'NaN']);
  assert.equal(loss.times[0], 1000);
  assert.ok(Number.isNaN(loss.times[1]));
  assert.equal(fs.existsSync(seriesCacheDir(store, 'r1')), false, 'no cache for a small run');
});

test('large runs go through the series cache, which follows appends and rebuilds after a rewrite', () => {
  const store = tempDir();
  const dir = writeRunFiles(store, 'big', { metrics: bigMetrics(12_000) });
  assert.ok(fs.statSync(path.join(dir, 'metrics.jsonl')).size >= SERIES_CACHE_MIN_BYTES);
  const cache = seriesCacheDir(store, 'big');
  const first = readRunSeries(dir, cache, ['train/loss', 'acc']);
  assert.equal(first.get('train/loss')!.steps.length, 12_000);
  assert.equal(first.get('acc')!.values[11_999], 11_999 / 1e6);
  assert.equal(first.get('train/loss')!.times[5], 1_700_000_005_000);
  assert.ok(fs.existsSync(path.join(cache, 'manifest.json')));

  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), bigMetrics(10, 12_000) + jsonl({ name: 'train/loss', step: 3, value: 42 }));
  const appended = readRunSeries(dir, cache, ['train/loss']).get('train/loss')!;
  assert.equal(appended.steps.length, 12_010);
  assert.equal(appended.values[3], 42, 'a rewritten step takes the later value');
  const manifest = syncSeriesCache(path.join(dir, 'metrics.jsonl'), cache)!;
  assert.equal(manifest.metrics.find((metric) => metric.name === 'train/loss')!.points, 12_011);

  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), bigMetrics(11_000, 100));
  const rewritten = readRunSeries(dir, cache, ['train/loss']).get('train/loss')!;
  assert.equal(rewritten.steps.length, 11_000);
  assert.equal(rewritten.steps[0], 100);
});

test('a damaged manifest or a cache shorter than its manifest is rebuilt, not trusted', () => {
  const store = tempDir();
  const dir = writeRunFiles(store, 'big', { metrics: bigMetrics(12_000) });
  const cache = seriesCacheDir(store, 'big');
  readRunSeries(dir, cache, ['acc']);
  fs.writeFileSync(path.join(cache, 'manifest.json'), '{"version":1,"cursor":');
  assert.equal(readRunSeries(dir, cache, ['acc']).get('acc')!.steps.length, 12_000);
  const acc = path.join(cache, 'm1.bin');
  fs.truncateSync(acc, fs.statSync(acc).size / 2);
  assert.equal(readRunSeries(dir, cache, ['acc']).get('acc')!.values[11_999], 11_999 / 1e6);
  fs.rmSync(dir, { recursive: true });
  assert.equal(syncSeriesCache(path.join(dir, 'metrics.jsonl'), cache), undefined);
  assert.equal(fs.existsSync(cache), false, 'the cache of a deleted run is removed');
});

test('a sync that starts again from an older manifest (interrupted, or a second writer) overwrites, never duplicates', () => {
  const store = tempDir();
  const dir = writeRunFiles(store, 'big', { metrics: bigMetrics(12_000) });
  const cache = seriesCacheDir(store, 'big');
  const metricsFile = path.join(dir, 'metrics.jsonl');
  syncSeriesCache(metricsFile, cache);
  const olderManifest = fs.readFileSync(path.join(cache, 'manifest.json'));
  fs.appendFileSync(metricsFile, bigMetrics(100, 12_000));
  syncSeriesCache(metricsFile, cache);
  fs.writeFileSync(path.join(cache, 'manifest.json'), olderManifest);
  syncSeriesCache(metricsFile, cache);
  assert.equal(fs.statSync(path.join(cache, 'm0.bin')).size, 12_100 * 24, 'the bin holds each point once');
  assert.equal(readRunSeries(dir, cache, ['train/loss']).get('train/loss')!.steps.at(-1), 12_099);
});
