import fs from 'node:fs';
import path from 'node:path';
import { readNewLines } from '../platform/jsonlCursor.ts';
import { METRICS_FILE } from '../store/layout.ts';
import type { MetricSeries } from './metricSeries.ts';
import { parseMetricLineOrSkip } from './records.ts';
import { SERIES_CACHE_MIN_BYTES, readCachedSeries, syncSeriesCache } from './seriesCache.ts';
import { PointBuffer, toMetricSeries } from './seriesPoints.ts';

/**
 * Every point of the named metrics of one MLTrail run. Large runs go through the series cache (kept current
 * incrementally); small ones are parsed from metrics.jsonl directly. Metrics the run never wrote are absent.
 */
export function readRunSeries(runDir: string, cacheDir: string, metrics: readonly string[]): Map<string, MetricSeries> {
  const metricsFile = path.join(runDir, METRICS_FILE);
  const size = fs.statSync(metricsFile, { throwIfNoEntry: false })?.size ?? 0;
  const result = new Map<string, MetricSeries>();
  if (size >= SERIES_CACHE_MIN_BYTES) {
    try {
      return readThroughCache(metricsFile, cacheDir, metrics);
    } catch {
      // A cache file cut short or removed under us: rebuild it from metrics.jsonl, once.
      fs.rmSync(cacheDir, { recursive: true, force: true });
      return readThroughCache(metricsFile, cacheDir, metrics);
    }
  }
  const wanted = new Set(metrics);
  const buffers = new Map<string, PointBuffer>();
  readNewLines(metricsFile, undefined, {
    line(text) {
      const point = parseMetricLineOrSkip(text);
      if (!point) return;
      if (!wanted.has(point.name)) return;
      let buffer = buffers.get(point.name);
      if (!buffer) buffers.set(point.name, (buffer = new PointBuffer()));
      buffer.push(point.step, point.value, point.time);
    },
  });
  for (const name of metrics) {
    const buffer = buffers.get(name);
    if (buffer && buffer.length > 0) result.set(name, toMetricSeries(buffer.interleaved()));
  }
  return result;
}

function readThroughCache(metricsFile: string, cacheDir: string, metrics: readonly string[]): Map<string, MetricSeries> {
  const result = new Map<string, MetricSeries>();
  const manifest = syncSeriesCache(metricsFile, cacheDir);
  if (!manifest) return result;
  for (const name of metrics) {
    const series = readCachedSeries(cacheDir, manifest, name);
    if (series) result.set(name, series);
  }
  return result;
}
