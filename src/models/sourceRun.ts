import os from 'node:os';
import { isProcessAlive } from '../platform/processLiveness.ts';
import { type LineProblem, readRun } from '../runs/runReader.ts';
import { type RunSummary, summarizeRun } from '../runs/runSummary.ts';
import { runDir, runsDir } from '../store/layout.ts';

export interface SourceRun {
  run: RunSummary;
  /** Lines of the run's files that were skipped. */
  problems: LineProblem[];
}

/** Reads the one run a model version is registered from; throws when the store has no such run. */
export function readSourceRun(storeDir: string, runId: string): SourceRun {
  const dir = runDir(storeDir, runId);
  const entry = readRun(dir, runId);
  if (!entry) throw new Error(`no run "${runId}" in ${runsDir(storeDir)}`);
  return { run: summarizeRun(entry, { hostname: os.hostname(), isAlive: isProcessAlive }), problems: entry.problems };
}
