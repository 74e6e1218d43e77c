import { Worker, parentPort } from 'node:worker_threads';

type BatchRequest<T> = { task: string; items: T[] };
type BatchReply<R> = { ok: true; results: R[] } | { ok: false; error: string };

/**
 * Splits `items` into one batch per worker, balanced by `weight`, has each worker thread apply the handler its
 * script registered as `task`, and returns the results in the order of `items`. Workers live for one call: bulk
 * work is rare and their memory is given back as soon as it is done.
 */
export async function mapInWorkers<T, R>(
  script: string | URL,
  task: string,
  items: readonly T[],
  options: { workers: number; weight?: (item: T) => number },
): Promise<R[]> {
  const batches = balance(items, Math.max(1, Math.min(options.workers, items.length)), options.weight ?? (() => 1));
  const results = new Array<R>(items.length);
  await Promise.all(
    batches.map(async (indexes) => {
      const replies = await runBatch<T, R>(script, { task, items: indexes.map((index) => items[index] as T) });
      indexes.forEach((index, position) => {
        results[index] = replies[position] as R;
      });
    }),
  );
  return results;
}

function balance<T>(items: readonly T[], count: number, weight: (item: T) => number): number[][] {
  const batches = Array.from({ length: count }, () => ({ indexes: [] as number[], load: 0 }));
  const order = items.map((item, index) => ({ index, weight: weight(item) })).sort((a, b) => b.weight - a.weight);
  for (const { index, weight: itemWeight } of order) {
    let lightest = batches[0]!;
    for (const batch of batches) if (batch.load < lightest.load) lightest = batch;
    lightest.indexes.push(index);
    lightest.load += itemWeight;
  }
  return batches.filter((batch) => batch.indexes.length > 0).map((batch) => batch.indexes);
}

function runBatch<T, R>(script: string | URL, request: BatchRequest<T>): Promise<R[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script);
    let settled = false;
    const finish = (error: Error | undefined, results?: R[]) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(results ?? []);
    };
    worker.once('message', (reply: BatchReply<R>) => finish(reply.ok ? undefined : new Error(reply.error), reply.ok ? reply.results : undefined));
    worker.once('error', (error) => finish(error));
    worker.once('exit', (code) => finish(new Error(`worker exited with code ${code} before replying`)));
    worker.postMessage(request);
  });
}

/** The worker side of `mapInWorkers`: applies the handler named by the request to every item of its batch. */
export function serveBatches(handlers: Record<string, (item: never) => unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveBatches must run in a worker thread');
  port.once('message', ({ task, items }: BatchRequest<unknown>) => {
    let reply: BatchReply<unknown>;
    try {
      const handle = handlers[task];
      if (!handle) throw new Error(`this worker has no task "${task}"`);
      reply = { ok: true, results: items.map((item) => handle(item as never)) };
    } catch (error) {
      reply = { ok: false, error: (error as Error).stack ?? String(error) };
    }
    port.postMessage(reply);
  });
}
