import os from 'node:os';

/** How a source may spread its reading over worker threads. */
export interface WorkerOptions {
  /** Script of `sourcesWorker.ts` (bundled: dist/workers/sources.js). Without it, everything is read on the calling thread. */
  workerScript?: string | URL;
  /** At most this many workers (default: the cores, up to 4); 0 reads on the calling thread. */
  maxWorkers?: number;
}

export function workerCount(options: WorkerOptions): number {
  return options.maxWorkers ?? Math.max(1, Math.min(4, os.availableParallelism()));
}
