// Worker thread entry: hashes dataset and model files, and profiles tables, off the caller's thread (bundled as
// dist/workers/datasets.js). One request per worker; see datasetsWorkerProtocol.ts.
import { type MessagePort, parentPort } from 'node:worker_threads';
import type { DatasetsWorkerMessage, DatasetsWorkerRequest, HashProgress } from './datasetsWorkerProtocol.ts';
import { profileTable } from './profileTable.ts';
import { HASH_CHUNK_BYTES, loadXxh64, xxh64FileSteps } from './xxh64File.ts';

const PROGRESS_INTERVAL_MS = 50;

async function hashFiles(files: readonly string[], port: MessagePort): Promise<void> {
  const hasher = await loadXxh64();
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  let pending: HashProgress = { kind: 'progress', bytes: 0, hashed: [] };
  let lastSent = performance.now();
  const send = () => {
    port.postMessage(pending satisfies DatasetsWorkerMessage);
    pending = { kind: 'progress', bytes: 0, hashed: [] };
    lastSent = performance.now();
  };
  const sendWhenDue = () => {
    if (performance.now() - lastSent >= PROGRESS_INTERVAL_MS) send();
  };
  const countBytes = (bytes: number) => {
    pending.bytes += bytes;
  };
  files.forEach((file, index) => {
    const steps = xxh64FileSteps(hasher, file, buffer, countBytes);
    let step = steps.next();
    for (; !step.done; step = steps.next()) sendWhenDue();
    pending.hashed.push([index, step.value]);
    sendWhenDue();
  });
  send();
}

const port = parentPort;
if (!port) throw new Error('datasetsWorker.ts must run in a worker thread');
port.once('message', async (request: DatasetsWorkerRequest) => {
  let reply: DatasetsWorkerMessage;
  try {
    if (request.task === 'hash') {
      await hashFiles(request.files, port);
      reply = { kind: 'done' };
    } else {
      reply = { kind: 'done', profile: await profileTable(request.file) };
    }
  } catch (error) {
    reply = { kind: 'error', message: (error as Error).message ?? String(error) };
  }
  port.postMessage(reply);
});
