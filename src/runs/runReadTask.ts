import fs from 'node:fs';
import path from 'node:path';
import { METRICS_FILE, RUN_FILE } from '../store/layout.ts';
import { type RunEntry, readRun } from './runReader.ts';

/** One run to (re)read, as sent to a worker: plain data, so it survives structured cloning. */
export interface RunReadTask {
  id: string;
  dir: string;
  previous?: RunEntry;
  /** Bytes expected to be read, to balance workers. */
  bytes: number;
}

export function performRunRead(task: RunReadTask): RunEntry | null {
  return readRun(task.dir, task.id, task.previous) ?? null;
}

/** Size, mtime and inode of a run's two files (0 where a file is missing), as the index compares them. */
export type RunFileStats = [run: FileStat | 0, metrics: FileStat | 0];
export type FileStat = [size: number, mtimeMs: number, ino: number];

/** 0 when missing; NaNs when present but not stat-able, which never equal a cursor, so the read reports why. */
function statFile(file: string): FileStat | 0 {
  try {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat ? [stat.size, stat.mtimeMs, stat.ino] : 0;
  } catch {
    return [Number.NaN, Number.NaN, Number.NaN];
  }
}

/** run.jsonl then metrics.jsonl. String concatenation, not path.join: this runs for every run on every load. */
export function runFilePaths(dir: string): [string, string] {
  return [`${dir}${path.sep}${RUN_FILE}`, `${dir}${path.sep}${METRICS_FILE}`];
}

export function statRunFiles(dir: string): RunFileStats {
  const [runFile, metricsFile] = runFilePaths(dir);
  return [statFile(runFile), statFile(metricsFile)];
}
