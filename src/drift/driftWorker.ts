// The worker thread of drift jobs: one request at a time, answered with its id. Prepared columns live in shared
// memory, so neither the reply nor later comparisons on other workers copy them.
import { parentPort } from 'node:worker_threads';
import { type OverTimeRequest, compareOne, overTimeOf, prepareFile } from './driftTasks.ts';
import type { ColumnCompareOptions } from './compareColumn.ts';
import type { PreparedColumn } from './preparedColumn.ts';

export type DriftWorkerRequest =
  | { id: number; task: 'prepare'; file: string; wanted?: string[] }
  | { id: number; task: 'compare'; reference: PreparedColumn; current: PreparedColumn; options: ColumnCompareOptions }
  | { id: number; task: 'overTime'; request: OverTimeRequest };

export type DriftWorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('driftWorker must run in a worker thread');

port.on('message', async (request: DriftWorkerRequest) => {
  try {
    if (request.task === 'prepare') {
      const table = await prepareFile(request.file, request.wanted, true);
      port.postMessage({ id: request.id, ok: true, value: table } satisfies DriftWorkerReply);
    } else if (request.task === 'compare') {
      port.postMessage({ id: request.id, ok: true, value: compareOne(request.reference, request.current, request.options) } satisfies DriftWorkerReply);
    } else {
      port.postMessage({ id: request.id, ok: true, value: await overTimeOf(request.request) } satisfies DriftWorkerReply);
    }
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: (error as Error).message ?? String(error) } satisfies DriftWorkerReply);
  }
});
