import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { isProcessAlive } from '../platform/processLiveness.ts';
import { RUN_FILE, runDir } from '../store/layout.ts';
import { CANCEL_FILE, JOB_STATE_FILE, readJobState } from './jobFiles.ts';
import { applyNewLogLines } from './logApplier.ts';
import { terminateGroup } from './processGroup.ts';
import { readRecordedRun } from './recordedRun.ts';

/** How long a cancelled job has between SIGTERM and SIGKILL unless told otherwise. */
export const DEFAULT_CANCEL_GRACE_MS = 10_000;

export interface CancelResult {
  /** SIGKILL was needed after the grace period. */
  forced: boolean;
  /** The run's runner was gone, so the end record was written here. */
  endedHere: boolean;
}

/** Why a run cannot be cancelled from here: no such run, not a job, already ended, or on another machine. */
export class CannotCancel extends Error {}

/**
 * Stops a local job run from any process on its host: SIGTERM to its process group, SIGKILL after `graceMs`. The
 * runner, when still there, records the end (`killed`, from the marker left here); otherwise this does.
 */
export async function cancelRecordedRun(storeDir: string, runId: string, graceMs: number): Promise<CancelResult> {
  const run = readRecordedRun(storeDir, runId);
  if (!run) throw new CannotCancel(`no run "${runId}" in this store`);
  const dir = runDir(storeDir, runId);
  if (!fs.existsSync(path.join(dir, JOB_STATE_FILE))) throw new CannotCancel(`run ${runId} was not started by "mltrail run": stop its process yourself`);
  if (run.status !== 'running') throw new CannotCancel(`run ${runId} is not running (${run.status})`);
  if (run.host !== os.hostname()) throw new CannotCancel(`run ${runId} runs on ${run.host ?? 'an unknown host'}: cancel it there`);
  if (run.pid === undefined) throw new CannotCancel(`run ${runId} recorded no process id`);
  fs.writeFileSync(path.join(dir, CANCEL_FILE), `${new Date().toISOString()}\n`);
  const forced = await terminateGroup(run.pid, graceMs);
  const { runner } = readJobState(dir);
  const runnerAlive = runner !== undefined && runner.host === os.hostname() && isProcessAlive(runner.pid);
  if (runnerAlive) return { forced, endedHere: false };
  applyNewLogLines({ storeDir, dir, final: true });
  appendLines(path.join(dir, RUN_FILE), [JSON.stringify({ type: 'end', time: Date.now(), status: 'killed' })]);
  return { forced, endedHere: true };
}
