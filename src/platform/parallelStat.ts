import { Worker } from 'node:worker_threads';

/** Per path: size, mtimeMs, inode; size -1 when the path does not exist, NaNs when it cannot be stat'ed. */
export type StatTable = Float64Array;

export const STAT_FIELDS = 3;

// The worker's whole program, as source text: there is no file to locate in a bundle, and bundlers leave a string
// alone (a function's own source would have its `require` calls rewritten).
const STAT_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.once('message', (paths) => {
  const table = new Float64Array(paths.length * ${STAT_FIELDS});
  for (let index = 0; index < paths.length; index++) {
    let stat;
    try {
      stat = fs.statSync(paths[index], { throwIfNoEntry: false });
    } catch {
      table.fill(NaN, index * ${STAT_FIELDS}, (index + 1) * ${STAT_FIELDS});
      continue;
    }
    if (stat) table.set([stat.size, stat.mtimeMs, stat.ino], index * ${STAT_FIELDS});
    else table[index * ${STAT_FIELDS}] = -1;
  }
  parentPort.postMessage(table, [table.buffer]);
});
`;

/**
 * Stats many files on a worker thread, so the calling thread can do other work meanwhile (the run index parses
 * its cache while the store is stat'ed). The table comes back without copying.
 */
export function statInWorker(paths: readonly string[]): Promise<StatTable> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(STAT_WORKER_SOURCE, { eval: true });
    worker.once('message', (table: StatTable) => {
      resolve(table);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.postMessage(paths);
  });
}
