// Messages between a caller and src/datasets/datasetsWorker.ts (bundled as dist/workers/datasets.js).
import type { TableProfile } from './profileTable.ts';

export type DatasetsWorkerRequest = { task: 'hash'; files: string[] } | { task: 'profile'; file: string };

/** Sent while hashing: bytes read since the last message, and the files finished since then (index, xxh64 hex). */
export interface HashProgress {
  kind: 'progress';
  bytes: number;
  hashed: Array<[index: number, hash: string]>;
}

export type DatasetsWorkerMessage = HashProgress | { kind: 'done'; profile?: TableProfile } | { kind: 'error'; message: string };
