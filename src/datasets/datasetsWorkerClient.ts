import { Worker } from 'node:worker_threads';
import type { DatasetsWorkerMessage, DatasetsWorkerRequest, HashProgress } from './datasetsWorkerProtocol.ts';
import type { TableProfile } from './profileTable.ts';

export interface WorkerCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: HashProgress) => void;
}

/**
 * Runs one request on a fresh datasets worker and resolves with its final message. Aborting terminates the worker at
 * once (it may be in the middle of a read) and rejects with the signal's reason.
 */
export function callDatasetsWorker(script: string | URL, request: DatasetsWorkerRequest, options: WorkerCallOptions = {}): Promise<{ profile?: TableProfile }> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const worker = new Worker(script);
    let settled = false;
    const finish = (error: unknown, result?: { profile?: TableProfile }) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      if (error === undefined) resolve(result ?? {});
      else reject(error);
    };
    const abort = () => finish(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: DatasetsWorkerMessage) => {
      if (settled) return;
      if (message.kind === 'progress') onProgress?.(message);
      else if (message.kind === 'done') finish(undefined, message.profile ? { profile: message.profile } : {});
      else finish(new Error(message.message));
    });
    worker.once('error', (error) => finish(error));
    worker.once('exit', (code) => finish(new Error(`the datasets worker exited with code ${code} before replying`)));
    worker.postMessage(request);
  });
}
