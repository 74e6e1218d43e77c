import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGitState } from '../datasets/gitState.ts';
import type { ModelVersion } from '../models/modelRecords.ts';
import { appendLines } from '../platform/atomicFile.ts';
import type { EndStatus } from '../runs/records.ts';
import { RUN_FILE, newRunId, runDir } from '../store/layout.ts';
import { latestDatasetVersion } from './datasetVersions.ts';
import { DEFAULT_GPU_SAMPLE_INTERVAL_MS, startGpuSampling } from './gpuSampler.ts';
import { listGpus } from './gpus.ts';
import type { JobDefinition } from './jobConfig.ts';
import { DEFAULT_CANCEL_GRACE_MS } from './cancelRun.ts';
import { CANCEL_FILE, LOGS_FILE, readJobState, reportJobProblem, writeJobState } from './jobFiles.ts';
import { registerPendingModels } from './jobModels.ts';
import type { JobRunPlan } from './jobParams.ts';
import { applyNewLogLines } from './logApplier.ts';
import { terminateGroup } from './processGroup.ts';

const DEFAULT_LOG_POLL_MS = 250;

export interface LocalRunOptions {
  /** The workspace folder: the job's working directory, and where relative model paths start. */
  folder: string;
  storeDir: string;
  job: JobDefinition;
  plan: JobRunPlan;
  /** A run id chosen beforehand (`mltrail run --detach` names the run before the runner starts). */
  runId?: string;
  /** The nvidia-smi to query: a command on PATH or a path. Default "nvidia-smi"; missing means no GPU data. */
  nvidiaSmi?: string;
  gpuSampleIntervalMs?: number;
  /** How long a cancelled job has between SIGTERM and SIGKILL. */
  cancelGraceMs?: number;
  /** How often logs.txt is read for protocol records while the job runs. */
  logPollMs?: number;
}

export interface RunOutcome {
  status: EndStatus;
  /** The job's exit code; 128 + the signal number when a signal ended it; 127 when it could not start. */
  exitCode: number;
  registeredModels: ModelVersion[];
}

export interface LocalRun {
  id: string;
  dir: string;
  /** The job's process, which leads its own process group. */
  pid: number | undefined;
  /** SIGTERM to the job's process group, SIGKILL after the grace period; the run ends `killed`. */
  cancel(): void;
  finished: Promise<RunOutcome>;
}

/**
 * Starts a job on this machine: records the run (start with the job's pid, params, inputs), runs the command
 * without a shell in its own process group with stdout and stderr going to logs.txt, applies the protocol records
 * it prints as they arrive, samples GPUs when nvidia-smi is there, and records the end.
 */
export async function startLocalRun(options: LocalRunOptions): Promise<LocalRun> {
  const { folder, storeDir, job, plan } = options;
  const startTime = Date.now();
  const id = options.runId ?? newRunId(new Date(startTime));
  const dir = runDir(storeDir, id);
  fs.mkdirSync(dir, { recursive: true });
  const nvidiaSmi = options.nvidiaSmi ?? 'nvidia-smi';
  const [git, gpus] = await Promise.all([readGitState(folder), listGpus(nvidiaSmi)]);

  const { child, exited } = await spawnJob(plan.command, {
    cwd: folder,
    logFile: path.join(dir, LOGS_FILE),
    env: { ...inheritedEnv(), ...job.env, MLTRAIL_RUN_ID: id, MLTRAIL_PARAMS: JSON.stringify(plan.params), MLTRAIL_RUN_DIR: dir, PYTHONUNBUFFERED: '1' },
  });
  const start: Record<string, unknown> = { type: 'start', time: startTime, name: plan.name, command: plan.command, host: os.hostname() };
  if (job.experiment !== undefined) start.experiment = job.experiment;
  if (child.pid !== undefined) start.pid = child.pid;
  if (git) start.git = git;
  if (gpus.length > 0) start.gpus = gpus;
  appendLines(path.join(dir, RUN_FILE), [
    JSON.stringify(start),
    JSON.stringify({ type: 'params', values: plan.params }),
    JSON.stringify({ type: 'tags', values: runTags(job) }),
    ...job.inputs.map((dataset) => {
      const version = latestDatasetVersion(storeDir, dataset);
      return JSON.stringify({ type: 'input', dataset, ...(version === undefined ? {} : { version }) });
    }),
  ]);
  writeJobState(dir, { ...readJobState(dir), runner: { host: os.hostname(), pid: process.pid } });

  const applyLog = (final: boolean) => {
    try {
      applyNewLogLines({ storeDir, dir, final });
    } catch (error) {
      reportJobProblem(dir, `cannot apply ${LOGS_FILE}: ${(error as Error).message}`);
    }
  };
  const logTimer = setInterval(() => applyLog(false), options.logPollMs ?? DEFAULT_LOG_POLL_MS);
  const stopGpuSampling = gpus.length > 0 ? startGpuSampling(nvidiaSmi, dir, options.gpuSampleIntervalMs ?? DEFAULT_GPU_SAMPLE_INTERVAL_MS) : undefined;

  let termination: Promise<unknown> | undefined;
  const cancel = () => {
    if (termination || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    termination = terminateGroup(child.pid, options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS).catch((error: unknown) => {
      reportJobProblem(dir, `cannot stop the job: ${(error as Error).message}`);
    });
  };

  const finished = exited.then(async ({ code, signal, spawnError }) => {
    clearInterval(logTimer);
    await termination;
    await stopGpuSampling?.();
    if (spawnError) fs.appendFileSync(path.join(dir, LOGS_FILE), `mltrail: cannot start ${JSON.stringify(plan.command[0])}: ${spawnError.message}\n`);
    applyLog(true);
    const cancelled = termination !== undefined || fs.existsSync(path.join(dir, CANCEL_FILE));
    const exitCode = spawnError ? 127 : (code ?? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0));
    const status: EndStatus = cancelled || signal !== null ? 'killed' : code === 0 ? 'finished' : 'failed';
    appendLines(path.join(dir, RUN_FILE), [JSON.stringify({ type: 'end', time: Date.now(), status, exitCode })]);
    const registeredModels = await registerPendingModels(folder, storeDir, dir, id, status);
    const { runner: _runner, ...state } = readJobState(dir);
    writeJobState(dir, state);
    return { status, exitCode, registeredModels };
  });
  return { id, dir, pid: child.pid, cancel, finished };
}

/** `job`; an ad-hoc script run also `script` (its path), so it is not taken for a run of a declared job of that name. */
function runTags(job: JobDefinition): Record<string, string> {
  return job.adHoc && job.script !== undefined ? { job: job.name, script: job.script } : { job: job.name };
}

/** This process's environment, less what only made it run: the editor starts the runner as Node through Electron. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const { ELECTRON_RUN_AS_NODE: _electronAsNode, ...inherited } = process.env;
  return inherited;
}

interface SpawnOptions {
  cwd: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started (not found, not executable). */
  spawnError?: Error;
}

interface SpawnedJob {
  child: ChildProcess;
  exited: Promise<Exit>;
}

/**
 * The job writes straight into logs.txt (opened for appending), not through a pipe to this process: its output is
 * kept if the runner goes away, and the log is the one source the protocol records are applied from.
 */
async function spawnJob(command: readonly string[], options: SpawnOptions): Promise<SpawnedJob> {
  const log = fs.openSync(options.logFile, 'a');
  try {
    const [program, ...args] = command as [string, ...string[]];
    const child = spawn(program, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log] });
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => {
        if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: error });
      });
    });
    await Promise.race([new Promise((resolve) => child.once('spawn', resolve)), exited]);
    return { child, exited };
  } finally {
    fs.closeSync(log);
  }
}
