import { randomBytes } from 'node:crypto';
import path from 'node:path';

export const CONFIG_FILE = 'mltrail.json';
export const DEFAULT_STORE_DIR = '.mltrail';
export const RUNS_DIR = 'runs';
export const RUN_FILE = 'run.jsonl';
export const METRICS_FILE = 'metrics.jsonl';
export const TRASH_DIR = 'trash';
export const CACHE_DIR = 'cache';

const RUN_ID = /^[A-Za-z0-9._-]+$/;

/** A run id is its directory name: letters, digits, dot, underscore and hyphen; never "." or "..". */
export function isValidRunId(id: string): boolean {
  return RUN_ID.test(id) && id !== '.' && id !== '..';
}

/** `YYYYMMDD-HHMMSS-<6 hex>` in UTC: sorts by start time and does not collide between parallel writers. */
export function newRunId(at: Date = new Date(), random: Buffer = randomBytes(3)): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${date}-${time}-${random.toString('hex').slice(0, 6)}`;
}

export function runsDir(storeDir: string): string {
  return path.join(storeDir, RUNS_DIR);
}

export function runDir(storeDir: string, runId: string): string {
  if (!isValidRunId(runId)) throw new Error(`Invalid run id "${runId}": use letters, digits, ".", "_" and "-".`);
  return path.join(storeDir, RUNS_DIR, runId);
}
