import os from 'node:os';
import path from 'node:path';
import { mapInWorkers } from '../platform/workerPool.ts';
import type { RunIndex } from '../runs/runIndex.ts';
import { SERIES_CACHE_MIN_BYTES, seriesCacheDir, syncSeriesCache } from '../runs/seriesCache.ts';
import { METRICS_FILE } from '../store/layout.ts';

/** One run's series cache to bring up to date, as sent to a worker. */
export interface WarmTask {
  metricsFile: string;
  cacheDir: string;
  bytes: number;
}

export function performWarm(task: WarmTask): boolean {
  return syncSeriesCache(task.metricsFile, task.cacheDir) !== undefined;
}

/**
 * Builds the series caches of the store's large runs on worker threads, so the first chart of a run with millions
 * of points reads binary columns instead of parsing its metrics.jsonl. Returns how many runs it brought up to date.
 */
export async function warmSeriesCaches(index: RunIndex, workerScript: string | URL): Promise<number> {
  const tasks: WarmTask[] = index
    .list()
    .filter((run) => !run.source && index.metricsBytes(run.id) >= SERIES_CACHE_MIN_BYTES)
    .map((run) => ({ metricsFile: path.join(index.runDir(run.id), METRICS_FILE), cacheDir: seriesCacheDir(index.storeDir, run.id), bytes: index.metricsBytes(run.id) }));
  if (tasks.length === 0) return 0;
  const workers = Math.max(1, Math.min(4, os.availableParallelism(), tasks.length));
  const results = await mapInWorkers<WarmTask, boolean>(workerScript, 'warm', tasks, { workers, weight: (task) => task.bytes });
  return results.filter(Boolean).length;
}
