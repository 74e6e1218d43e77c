import os from 'node:os';
import { isProcessAlive } from '../platform/processLiveness.ts';
import { readRun } from '../runs/runReader.ts';
import { type RunSummary, summarizeRun } from '../runs/runSummary.ts';
import { runDir } from '../store/layout.ts';

/** A run of the store as it stands now, status resolved on this host; undefined when there is no such run. */
export function readRecordedRun(storeDir: string, runId: string): RunSummary | undefined {
  const entry = readRun(runDir(storeDir, runId), runId);
  return entry && summarizeRun(entry, { hostname: os.hostname(), isAlive: isProcessAlive });
}
