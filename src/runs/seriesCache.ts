import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../platform/atomicFile.ts';
import { type FileCursor, readNewLines } from '../platform/jsonlCursor.ts';
import { CACHE_DIR } from '../store/layout.ts';
import type { MetricSeries } from './metricSeries.ts';
import { parseMetricLineOrSkip } from './records.ts';
import { PointBuffer, toMetricSeries } from './seriesPoints.ts';

/**
 * A run's metric points kept as binary columns, so a chart of a run with millions of points reads one metric's
 * bytes instead of parsing the whole metrics.jsonl. Per run: `manifest.json` (how far into metrics.jsonl the cache
 * reaches, and each metric's point count) and one file of little-endian float64 triples (step, value, time) per
 * metric, in the order the points were written. Safe to delete: it is rebuilt from metrics.jsonl.
 */
export interface SeriesManifest {
  version: typeof MANIFEST_VERSION;
  cursor: FileCursor;
  metrics: SeriesManifestMetric[];
}

interface SeriesManifestMetric {
  name: string;
  points: number;
  maxStep: number;
}

const MANIFEST_VERSION = 1;
const MANIFEST_FILE = 'manifest.json';
const BYTES_PER_POINT = 24;
/** Points held in memory before they are written out while a large file is read. */
const FLUSH_POINTS = 1 << 21;

/** Below this size, parsing metrics.jsonl is quicker than keeping a cache of it. */
export const SERIES_CACHE_MIN_BYTES = 1 << 20;

/** Where the series cache of a run lives. */
export function seriesCacheDir(storeDir: string, runId: string): string {
  return path.join(storeDir, CACHE_DIR, 'series', runId);
}

function metricFile(cacheDir: string, position: number): string {
  return path.join(cacheDir, `m${position}.bin`);
}

function readManifest(cacheDir: string): SeriesManifest | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cacheDir, MANIFEST_FILE), 'utf8')) as SeriesManifest;
    const valid =
      manifest.version === MANIFEST_VERSION &&
      typeof manifest.cursor?.offset === 'number' &&
      Array.isArray(manifest.metrics) &&
      manifest.metrics.every((metric) => typeof metric?.name === 'string' && Number.isInteger(metric.points) && typeof metric.maxStep === 'number');
    return valid ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Brings the cache up to date with metrics.jsonl: reads only what was appended since the cache was written, or
 * rebuilds it when the file was replaced or the cache is missing or damaged. Returns undefined (and removes the
 * cache) when metrics.jsonl does not exist. Malformed lines are skipped: the index reports them.
 */
export function syncSeriesCache(metricsFile: string, cacheDir: string): SeriesManifest | undefined {
  if (os.endianness() !== 'LE') throw new Error('the series cache is written little-endian only');
  let manifest = readManifest(cacheDir);
  let positions = new Map<string, number>();
  let buffers = new Map<string, PointBuffer>();
  const reset = () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    manifest = undefined;
    positions = new Map();
    buffers = new Map();
  };
  if (!manifest) reset();
  const metrics: SeriesManifestMetric[] = manifest ? manifest.metrics.map((metric) => ({ ...metric })) : [];
  metrics.forEach((metric, position) => positions.set(metric.name, position));
  let buffered = 0;
  const flush = () => {
    if (buffered === 0) return;
    fs.mkdirSync(cacheDir, { recursive: true });
    for (const [name, buffer] of buffers) {
      const position = positions.get(name) as number;
      const metric = metrics[position] as SeriesManifestMetric;
      const bytes = buffer.interleaved();
      // Written at the position the manifest implies: what an interrupted earlier write left past it is overwritten.
      // Not 'a': with O_APPEND the kernel ignores the position and writes at the end.
      const file = metricFile(cacheDir, position);
      const fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w');
      try {
        fs.writeSync(fd, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.byteLength, metric.points * BYTES_PER_POINT);
      } finally {
        fs.closeSync(fd);
      }
      metric.points += buffer.length;
      metric.maxStep = buffer.maxStep;
    }
    buffers = new Map();
    buffered = 0;
  };
  const result = readNewLines(metricsFile, manifest?.cursor, {
    line(text) {
      const point = parseMetricLineOrSkip(text);
      if (!point) return;
      let buffer = buffers.get(point.name);
      if (!buffer) {
        let position = positions.get(point.name);
        if (position === undefined) {
          position = metrics.length;
          metrics.push({ name: point.name, points: 0, maxStep: -1 });
          positions.set(point.name, position);
        }
        buffer = new PointBuffer((metrics[position] as SeriesManifestMetric).maxStep);
        buffers.set(point.name, buffer);
      }
      buffer.push(point.step, point.value, point.time);
      buffered += 1;
      if (buffered >= FLUSH_POINTS) flush();
    },
    restart() {
      reset();
      metrics.length = 0;
    },
  });
  if (!result) {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    return undefined;
  }
  flush();
  const unchanged = manifest && result.cursor.offset === manifest.cursor.offset && result.cursor.ino === manifest.cursor.ino && result.cursor.size === manifest.cursor.size;
  const next: SeriesManifest = { version: MANIFEST_VERSION, cursor: result.cursor, metrics };
  if (!unchanged) writeFileAtomic(path.join(cacheDir, MANIFEST_FILE), JSON.stringify(next));
  return next;
}

let scratchBuffer = new Float64Array(0);

/** The bytes read are copied out into the series at once: one buffer, grown as needed, serves every read. */
function scratch(length: number): Float64Array {
  if (scratchBuffer.length < length) scratchBuffer = new Float64Array(Math.max(length, scratchBuffer.length * 2));
  return scratchBuffer.subarray(0, length);
}

/** One metric's series from an up-to-date cache; undefined when the run never wrote that metric. */
export function readCachedSeries(cacheDir: string, manifest: SeriesManifest, name: string): MetricSeries | undefined {
  const position = manifest.metrics.findIndex((metric) => metric.name === name);
  if (position < 0) return undefined;
  const points = (manifest.metrics[position] as SeriesManifestMetric).points;
  const interleaved = scratch(points * 3);
  const fd = fs.openSync(metricFile(cacheDir, position), 'r');
  try {
    const bytes = new Uint8Array(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength);
    let read = 0;
    while (read < bytes.length) {
      const count = fs.readSync(fd, bytes, read, bytes.length - read, read);
      if (count === 0) throw new Error(`series cache ${cacheDir} is shorter than its manifest says`);
      read += count;
    }
  } finally {
    fs.closeSync(fd);
  }
  return toMetricSeries(interleaved);
}
