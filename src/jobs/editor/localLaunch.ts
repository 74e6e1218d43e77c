import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { get, put } from '../../platform/dictionary.ts';
import type { JobDefinition, ParamSet, ParamValue } from '../jobConfig.ts';
import { type JobRunPlan, expandSweep, planJobRuns } from '../jobParams.ts';

/** What `mltrail run` starts: a declared job's sweep point, or a script no job declares (an ad-hoc job). */
export type LocalLaunchTarget = { job: string; index: number } | { script: string };

export interface LocalLaunch {
  /** The bundled CLI, dist/cli.js. */
  cliScript: string;
  /** The workspace folder: the CLI finds mltrail.json there, and the job runs there. */
  folder: string;
  target: LocalLaunchTarget;
  runId: string;
  /** Param overrides (`--param`). */
  params: ParamSet;
}

/** The CLI's arguments for one background runner: `run JOB --index I --run-id ID --json --param k=v...`. */
export function localRunArgs(launch: LocalLaunch): string[] {
  const target = 'job' in launch.target ? [launch.target.job, '--index', String(launch.target.index)] : ['--script', launch.target.script];
  // JSON for every value: the CLI reads a value as JSON first, so a string such as "0.1" stays a string.
  const params = Object.entries(launch.params).flatMap(([name, value]) => ['--param', `${name}=${JSON.stringify(value)}`]);
  return [launch.cliScript, 'run', ...target, '--run-id', launch.runId, '--json', ...params];
}

/**
 * How the CLI reproduces `plan`: its sweep point when the declared sweep has it, and as overrides only the params
 * that differ from what that point gives (an edited sweep or changed params).
 */
export function localRunSpec(job: JobDefinition, plan: JobRunPlan): { index: number; params: ParamSet } {
  const index = plan.index < expandSweep(job.sweep).length ? plan.index : 0;
  const declared = (planJobRuns(job, {}, index)[0] as JobRunPlan).params;
  const params: ParamSet = {};
  for (const [name, value] of Object.entries(plan.params)) {
    if (JSON.stringify(get(declared, name)) !== JSON.stringify(value)) put(params, name, value);
  }
  return { index, params };
}

/**
 * "Only the defaults": one run with the job's params as declared, a swept param that has no declared value taking
 * its first sweep value.
 */
export function defaultsPlan(job: JobDefinition): JobRunPlan {
  const firstValues: ParamSet = {};
  for (const [name, values] of Object.entries(job.sweep)) {
    if (get(job.params, name) === undefined && values.length > 0) put(firstValues, name, values[0] as ParamValue);
  }
  return planJobRuns({ ...job, sweep: {} }, firstValues, 0)[0] as JobRunPlan;
}

export interface SpawnedLocalRun {
  runId: string;
  /** When the runner exits (the job ended, or the CLI refused to start it), with what it wrote to stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
}

/**
 * Starts the CLI as a detached background runner, so the run outlives this window. `execPath` is Electron in
 * desktop VS Code, hence ELECTRON_RUN_AS_NODE. Its stderr goes to a temporary file, read when it exits: the only
 * trace of a launch the CLI refused.
 */
export function spawnLocalRun(launch: LocalLaunch, execPath = process.execPath): SpawnedLocalRun {
  const errorFile = path.join(os.tmpdir(), `mltrail-launch-${launch.runId}.txt`);
  const errorFd = fs.openSync(errorFile, 'w');
  try {
    const child = spawn(execPath, localRunArgs(launch), {
      cwd: launch.folder,
      detached: true,
      stdio: ['ignore', 'ignore', errorFd],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.unref();
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    }).then((code) => ({ code, stderr: readAndRemove(errorFile) }));
    return { runId: launch.runId, exited };
  } finally {
    fs.closeSync(errorFd);
  }
}

function readAndRemove(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Starts the background runners one after another, each when the one before has exited; resolves when the last has.
 * The chain lives in this process: a window reload stops the points not started yet, and nothing records them
 * until they start.
 */
export async function startOneAfterAnother(starts: ReadonlyArray<() => SpawnedLocalRun>): Promise<void> {
  for (const start of starts) await start().exited;
}
