import fs from 'node:fs';
import path from 'node:path';
import { appendLines, writeFileAtomic } from '../platform/atomicFile.ts';

/** What a job run adds to its run directory beside run.jsonl and metrics.jsonl. */
export const LOGS_FILE = 'logs.txt';
/** How far into logs.txt the protocol records were applied, and the models to register when the run ends. */
export const JOB_STATE_FILE = 'job-state.json';
/** Protocol lines that could not be applied and registrations that failed, one per line. */
export const JOB_PROBLEMS_FILE = 'job-problems.txt';
/** Left by `mltrail cancel` so the runner records `killed` even when the job exits cleanly on SIGTERM. */
export const CANCEL_FILE = 'cancel-requested';

export interface PendingModel {
  name: string;
  path?: string;
  /** The line of logs.txt that asked for it. */
  line: number;
}

export interface JobState {
  /** Bytes of logs.txt applied: every complete line before this offset was read once. */
  logOffset: number;
  /** Lines of logs.txt before `logOffset`, so problems name file:line. */
  logLines: number;
  /** `model` records seen and not yet registered: registration waits for the end so versions carry final metrics. */
  pendingModels: PendingModel[];
  /** The process applying the log, while it runs: `mltrail cancel` ends a run itself when it is gone. */
  runner?: { host: string; pid: number };
}

/** The state, with what other writers keep in the same file (the Kubernetes tracker's `kubernetes`) passed through. */
export function readJobState(dir: string): JobState {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, JOB_STATE_FILE), 'utf8')) as Partial<JobState>;
    return {
      ...parsed,
      logOffset: typeof parsed.logOffset === 'number' ? parsed.logOffset : 0,
      logLines: typeof parsed.logLines === 'number' ? parsed.logLines : 0,
      pendingModels: Array.isArray(parsed.pendingModels) ? parsed.pendingModels : [],
      ...(parsed.runner ? { runner: parsed.runner } : {}),
    };
  } catch {
    return { logOffset: 0, logLines: 0, pendingModels: [] };
  }
}

export function writeJobState(dir: string, state: JobState): void {
  writeFileAtomic(path.join(dir, JOB_STATE_FILE), JSON.stringify(state) + '\n');
}

export function reportJobProblem(dir: string, message: string): void {
  appendLines(path.join(dir, JOB_PROBLEMS_FILE), [`${new Date().toISOString()} ${message}`]);
}
