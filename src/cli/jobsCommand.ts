import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { CannotCancel, DEFAULT_CANCEL_GRACE_MS, cancelRecordedRun } from '../jobs/cancelRun.ts';
import { type JobDefinition, type ParamSet, parseJobDefinitions, scriptJob } from '../jobs/jobConfig.ts';
import { type JobRunPlan, expandSweep, parseParamOverride, planJobRuns } from '../jobs/jobParams.ts';
import { DEFAULT_GPU_SAMPLE_INTERVAL_MS } from '../jobs/gpuSampler.ts';
import { type RunOutcome, startLocalRun } from '../jobs/localRunner.ts';
import { followLog, readLog } from '../jobs/logFollower.ts';
import { readRecordedRun } from '../jobs/recordedRun.ts';
import { put } from '../platform/dictionary.ts';
import { formatRelativeTime } from '../platform/time.ts';
import { RunIndex } from '../runs/runIndex.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import { loadWorkspaceConfig } from '../store/config.ts';
import { isValidRunId, newRunId, runDir } from '../store/layout.ts';
import { type CliIo, CommandError, INTERRUPTED_EXIT_CODE, UsageError } from './cliIo.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { cancelOnKubernetes, followKubernetesRun, runOnKubernetes } from './kubernetesRun.ts';
import { readKubernetesRunState } from '../jobs/kubernetes/kubernetesRunState.ts';
import { renderTable } from './table.ts';

export const RUN_USAGE = `Usage: mltrail run JOB [--param NAME=VALUE]... [--index N] [--backend local|kubernetes]
                    [--context C] [--namespace N] [--detach] [--json]
       mltrail run --script FILE [--backend local] [--detach] [--json]

Run a job declared in mltrail.json "jobs" (see docs/jobs.md), recording it as a run: its output goes to the run's
logs.txt and, unless --detach, to this terminal until it ends. Locally, a job with a "sweep" runs once per point,
one after another; on Kubernetes the sweep is one Indexed Job. The exit code is the job's (the first that is not
0); Ctrl-C cancels the run (on Kubernetes: deletes the Job).

  --param NAME=VALUE  override a param (VALUE is read as JSON when it is JSON: 0.1 is a number)
  --index N           run only point N of the sweep (0-based)
  --script FILE       run a script no job declares (python for .py, bash for .sh), named after the file
  --backend B         where to run: local (default) or kubernetes (the job's "kubernetes" section)
  --context C         the kubeconfig context (default: the job's "kubernetes"."context", else the current one);
                      the kubeconfig is read from KUBECONFIG, else ~/.kube/config
  --namespace N       the namespace (default: the job's, else the context's)
  --detach            start the runs (or submit the Job), print their ids and return
  --grace SECONDS     on cancel, how long the job has between SIGTERM and SIGKILL (default ${DEFAULT_CANCEL_GRACE_MS / 1000})
  --gpu-interval S    seconds between GPU samples when nvidia-smi is there (default ${DEFAULT_GPU_SAMPLE_INTERVAL_MS / 1000})
  --json              print the runs as JSON instead of following their logs
`;

export const LOGS_USAGE = `Usage: mltrail logs RUN [--follow] [--store DIR]

Print the output of a run started by "mltrail run" (its logs.txt).

  --follow     keep printing what the run writes until it ends (a Kubernetes run's pod logs are followed on the
               cluster and copied into logs.txt as they come)
  --store DIR  the store directory (default: what ./mltrail.json names, else ./.mltrail)
`;

export const CANCEL_USAGE = `Usage: mltrail cancel RUN [--grace SECONDS] [--store DIR]

Stop a run started by "mltrail run". On this machine: SIGTERM to its processes, SIGKILL to what is left after the
grace period (default ${DEFAULT_CANCEL_GRACE_MS / 1000} s). On Kubernetes: deletes its Job and its pods (every run of
a sweep's Indexed Job). The run ends "killed".
`;

export const JOBS_USAGE = `Usage: mltrail jobs [--json] [--store DIR]

List the jobs declared in mltrail.json "jobs" with their command, sweep size and most recent runs.
`;

const RECENT_RUNS = 5;

function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function seconds(value: unknown, option: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(parsed) || parsed < 0) throw new UsageError(`${option} must be a number of seconds`);
  return parsed * 1000;
}

function declaredJobs(io: CliIo): { jobs: JobDefinition[]; folder: string; storeDir: string } {
  const config = loadWorkspaceConfig(io.cwd);
  const { jobs, problems } = parseJobDefinitions(config);
  for (const problem of [...config.problems, ...problems]) io.err(`${config.configFile}:${problem.line}: ${problem.message}\n`);
  return { jobs, folder: config.folder, storeDir: config.storeDir };
}

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    param: { type: 'string', multiple: true },
    index: { type: 'string' },
    script: { type: 'string' },
    backend: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string' },
    detach: { type: 'boolean' },
    grace: { type: 'string' },
    'gpu-interval': { type: 'string' },
    json: { type: 'boolean' },
    // Set by --detach for the background runner it starts: the run's id, chosen and printed beforehand.
    'run-id': { type: 'string' },
  });
  if (values.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  const script = values.script as string | undefined;
  const [jobName, ...extra] = positionals;
  if (script !== undefined ? jobName !== undefined : jobName === undefined || extra.length > 0) throw new UsageError('name one job (mltrail run JOB) or one script (mltrail run --script FILE)');
  const backend = values.backend ?? 'local';
  if (backend !== 'local' && backend !== 'kubernetes') throw new UsageError(`unknown backend "${String(backend)}" (expected local or kubernetes)`);
  if (backend === 'local' && (values.context !== undefined || values.namespace !== undefined)) throw new UsageError('--context and --namespace go with --backend kubernetes');
  const runId = values['run-id'] as string | undefined;
  if (runId !== undefined && !isValidRunId(runId)) throw new UsageError(`invalid run id "${runId}"`);
  const overrides: ParamSet = {};
  for (const text of (values.param as string[] | undefined) ?? []) {
    try {
      const [name, value] = parseParamOverride(text);
      put(overrides, name, value);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const index = values.index === undefined ? undefined : Number(values.index);
  const { jobs, folder, storeDir } = declaredJobs(io);
  const job = script !== undefined ? scriptJobIn(folder, io.cwd, script) : jobs.find((declared) => declared.name === jobName);
  if (!job) throw new CommandError(`no job "${jobName}" in mltrail.json "jobs"${jobs.length ? ` (jobs: ${jobs.map((declared) => declared.name).join(', ')})` : ''}`);
  if (backend === 'kubernetes' && script !== undefined) throw new UsageError('--script runs locally: declare the job in mltrail.json with a "kubernetes" section to run it on a cluster');
  let plans: JobRunPlan[];
  try {
    plans = planJobRuns(job, overrides, index);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  fs.mkdirSync(storeDir, { recursive: true });
  if (backend === 'kubernetes') {
    return runOnKubernetes({ folder, storeDir, job, plans, context: values.context as string | undefined, namespace: values.namespace as string | undefined, detach: values.detach === true, json: values.json === true }, io);
  }
  if (values.detach) return detach(plans, args, io);

  const following = !values.json;
  const results: Array<{ plan: JobRunPlan; id: string; outcome: RunOutcome }> = [];
  let interrupted = false;
  let cancelCurrent: (() => void) | undefined;
  const onInterrupt = () => {
    interrupted = true;
    cancelCurrent?.();
  };
  process.on('SIGINT', onInterrupt);
  try {
    for (const plan of plans) {
      if (interrupted) break;
      const run = await startLocalRun({
        folder,
        storeDir,
        job,
        plan,
        ...(runId !== undefined && plans.length === 1 ? { runId } : {}),
        ...(process.env.MLTRAIL_NVIDIA_SMI ? { nvidiaSmi: process.env.MLTRAIL_NVIDIA_SMI } : {}),
        cancelGraceMs: seconds(values.grace, '--grace', DEFAULT_CANCEL_GRACE_MS),
        gpuSampleIntervalMs: seconds(values['gpu-interval'], '--gpu-interval', DEFAULT_GPU_SAMPLE_INTERVAL_MS),
      });
      cancelCurrent = run.cancel;
      if (interrupted) run.cancel();
      if (following) io.err(`mltrail: run ${run.id} (${plan.name}) started\n`);
      let settled = false;
      const outcome = run.finished.finally(() => (settled = true));
      if (following) await followLog(run.dir, io.out, { isFinished: () => settled });
      const result = await outcome;
      if (following) io.err(`mltrail: run ${run.id} ${result.status} (exit code ${result.exitCode})\n`);
      results.push({ plan, id: run.id, outcome: result });
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (values.json) {
    const json = results.map(({ plan, id, outcome }) => ({ id, job: plan.job, index: plan.index, name: plan.name, params: plan.params, status: outcome.status, exitCode: outcome.exitCode }));
    io.out(JSON.stringify(json, null, 2) + '\n');
  }
  if (interrupted) return INTERRUPTED_EXIT_CODE;
  return results.find((result) => result.outcome.exitCode !== 0)?.outcome.exitCode ?? 0;
}

/** The ad-hoc job of `--script`, its path made relative to the workspace folder the job runs in. */
function scriptJobIn(folder: string, cwd: string, script: string): JobDefinition {
  const file = path.resolve(cwd, script);
  if (!fs.existsSync(file)) throw new CommandError(`no script ${script}`);
  return scriptJob(path.relative(folder, file).split(path.sep).join('/'));
}

/**
 * Starts one background `mltrail run JOB --index I --run-id ID` per plan, with this command's own options, and
 * prints the run ids; the background runners record the runs.
 */
function detach(plans: readonly JobRunPlan[], args: readonly string[], io: CliIo): number {
  const script = process.argv[1];
  if (script === undefined) throw new CommandError('cannot find the mltrail command to start in the background');
  const kept = args.filter((arg) => arg !== '--detach' && arg !== '--json');
  const started = plans.map((plan) => {
    const id = newRunId();
    const child = spawn(process.execPath, [...process.execArgv, script, 'run', ...kept, '--index', String(plan.index), '--run-id', id, '--json'], {
      cwd: io.cwd,
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    return { id, job: plan.job, index: plan.index, name: plan.name, runnerPid: child.pid ?? null };
  });
  io.out(args.includes('--json') ? JSON.stringify(started, null, 2) + '\n' : started.map((run) => `${run.id}  ${run.name}\n`).join(''));
  return 0;
}

export async function logsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { follow: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) {
    io.out(LOGS_USAGE);
    return 0;
  }
  const storeDir = resolveStoreDir(io, values.store as string | undefined);
  const id = singleRunId(positionals, 'logs');
  if (!readRecordedRun(storeDir, id)) throw new CommandError(`no run "${id}" in this store`);
  const dir = runDir(storeDir, id);
  if (!values.follow) {
    io.out(readLog(dir));
    return 0;
  }
  const kubernetes = readKubernetesRunState(dir);
  const isFinished = () => readRecordedRun(storeDir, id)?.status !== 'running';
  if (kubernetes && !isFinished()) {
    await followKubernetesRun(loadWorkspaceConfig(io.cwd).folder, storeDir, id, kubernetes.placement, io);
    return 0;
  }
  await followLog(dir, io.out, { isFinished });
  return 0;
}

export async function cancelCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { grace: { type: 'string' }, store: { type: 'string' } });
  if (values.help) {
    io.out(CANCEL_USAGE);
    return 0;
  }
  const storeDir = resolveStoreDir(io, values.store as string | undefined);
  const id = singleRunId(positionals, 'cancel');
  const kubernetes = readKubernetesRunState(runDir(storeDir, id));
  if (kubernetes) {
    const status = readRecordedRun(storeDir, id)?.status;
    if (status !== 'running') throw new CommandError(`run ${id} is not running (${status ?? 'not in this store'})`);
    return cancelOnKubernetes(storeDir, kubernetes.placement, io);
  }
  try {
    const result = await cancelRecordedRun(storeDir, id, seconds(values.grace, '--grace', DEFAULT_CANCEL_GRACE_MS));
    io.out(`Cancelled run ${id}${result.forced ? ' (killed after the grace period)' : ''}.\n`);
    return 0;
  } catch (error) {
    if (error instanceof CannotCancel) throw new CommandError(error.message);
    throw error;
  }
}

function singleRunId(positionals: readonly string[], command: string): string {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError(`name one run: mltrail ${command} RUN`);
  if (!isValidRunId(id)) throw new UsageError(`invalid run id "${id}"`);
  return id;
}

export async function jobsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) {
    io.out(JOBS_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { jobs, storeDir: configuredStore } = declaredJobs(io);
  const storeDir = values.store === undefined ? configuredStore : resolveStoreDir(io, values.store as string);
  const runs = fs.existsSync(storeDir) ? await listRuns(storeDir, io) : [];
  const recentRuns = (job: string) =>
    runs
      .filter((run) => run.tags.job === job)
      .sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0))
      .slice(0, RECENT_RUNS);
  if (values.json) {
    const json = jobs.map((job) => ({
      name: job.name,
      command: job.command,
      params: job.params,
      sweep: job.sweep,
      sweepSize: expandSweep(job.sweep).length,
      experiment: job.experiment ?? null,
      inputs: job.inputs,
      recentRuns: recentRuns(job.name).map((run) => ({ id: run.id, name: run.name, status: run.status, startTime: run.startTime === undefined ? null : new Date(run.startTime).toISOString() })),
    }));
    io.out(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  if (jobs.length === 0) {
    io.out('No jobs in mltrail.json.\n');
    return 0;
  }
  const now = Date.now();
  const rows = jobs.map((job) => {
    const recent = recentRuns(job.name);
    const last = recent[0];
    return [
      job.name,
      job.command.join(' '),
      String(expandSweep(job.sweep).length),
      last ? `${last.id} ${last.status}${last.startTime === undefined ? '' : ` ${formatRelativeTime(last.startTime, now)}`}` : '',
      recent.map((run) => run.status).join(' '),
    ];
  });
  io.out(renderTable(['JOB', 'COMMAND', 'RUNS/SWEEP', 'LAST RUN', 'RECENT'], rows));
  return 0;
}

async function listRuns(storeDir: string, io: CliIo): Promise<RunSummary[]> {
  const index = new RunIndex({ storeDir, ...(io.workerScript ? { workerScript: io.workerScript } : {}) });
  await index.load();
  await index.saveCache();
  return index.list();
}
