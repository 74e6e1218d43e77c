import os from 'node:os';
import { callDatasetsWorker } from './datasetsWorkerClient.ts';
import { HASH_CHUNK_BYTES, loadXxh64, xxh64FileSteps } from './xxh64File.ts';

export interface FileToHash {
  path: string;
  size: number;
}

export interface HashFilesOptions {
  /** The datasets worker (dist/workers/datasets.js, or src/datasets/datasetsWorker.ts from sources). */
  workerScript?: string | URL;
  signal?: AbortSignal;
  /** Bytes read since the last call. */
  onBytes?: (bytes: number) => void;
}

/** Opening and closing a file costs about as much as reading this many bytes, for balancing work between workers. */
const PER_FILE_COST_BYTES = 16 * 1024;
/** Below this much work a worker costs more to start than it saves. */
const WORKER_THRESHOLD_BYTES = 8 * 1024 * 1024;
const MAX_WORKERS = 4;

/**
 * Hashes each file with xxh64, giving each hash to `onHashed` as soon as it is known, so the work done before an
 * abort or a failure is not lost. With a worker script, large work is split over up to four worker threads,
 * balanced by size (many small files are dominated by open and close, which threads overlap well). Without one,
 * or for little work, files are read on this thread a chunk at a time, letting other work run in between.
 */
export async function hashFiles(files: readonly FileToHash[], onHashed: (index: number, hash: string) => void, options: HashFilesOptions = {}): Promise<void> {
  options.signal?.throwIfAborted();
  const work = files.reduce((total, file) => total + weight(file), 0);
  if (options.workerScript === undefined || work < WORKER_THRESHOLD_BYTES) return hashOnThisThread(files, onHashed, options);
  const script = options.workerScript;
  const batches = balance(files, Math.min(MAX_WORKERS, os.availableParallelism(), files.length));
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(
      batches.map((indexes) =>
        callDatasetsWorker(script, { task: 'hash', files: indexes.map((index) => (files[index] as FileToHash).path) }, {
          signal: controller.signal,
          onProgress: ({ bytes, hashed }) => {
            if (bytes > 0) options.onBytes?.(bytes);
            for (const [position, hash] of hashed) onHashed(indexes[position] as number, hash);
          },
        }).catch((error: unknown) => {
          // One worker failing (an unreadable file) stops the others: the whole hash cannot be had anyway.
          controller.abort(error);
          throw error;
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

function weight(file: FileToHash): number {
  return file.size + PER_FILE_COST_BYTES;
}

/** Indexes of `files` in `count` batches of about equal weight, heaviest files placed first. */
function balance(files: readonly FileToHash[], count: number): number[][] {
  const batches = Array.from({ length: count }, () => ({ indexes: [] as number[], load: 0 }));
  const order = files.map((file, index) => ({ index, weight: weight(file) })).sort((a, b) => b.weight - a.weight);
  for (const { index, weight: fileWeight } of order) {
    const lightest = batches.reduce((best, batch) => (batch.load < best.load ? batch : best));
    lightest.indexes.push(index);
    lightest.load += fileWeight;
  }
  return batches.filter((batch) => batch.indexes.length > 0).map((batch) => batch.indexes.sort((a, b) => a - b));
}

async function hashOnThisThread(files: readonly FileToHash[], onHashed: (index: number, hash: string) => void, options: HashFilesOptions): Promise<void> {
  const hasher = await loadXxh64();
  const largest = files.reduce((most, file) => Math.max(most, file.size), 1);
  const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK_BYTES, largest));
  const onBytes = options.onBytes ?? (() => undefined);
  for (const [index, file] of files.entries()) {
    await yieldToEventLoop();
    options.signal?.throwIfAborted();
    const steps = xxh64FileSteps(hasher, file.path, buffer, onBytes);
    try {
      let step = steps.next();
      for (; !step.done; step = steps.next()) {
        await yieldToEventLoop();
        options.signal?.throwIfAborted();
      }
      onHashed(index, step.value);
    } finally {
      steps.return('');
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
