import type { JobDefinition } from '../jobs/jobConfig.ts';
import type { JobRunPlan } from '../jobs/jobParams.ts';
import { cancelKubernetesLaunch } from '../jobs/kubernetes/cancelKubernetesLaunch.ts';
import { connectKubernetes } from '../jobs/kubernetes/kubeContexts.ts';
import { describeKubernetesError } from '../jobs/kubernetes/kubernetesErrors.ts';
import type { KubernetesConnection, KubernetesPlacement, KubernetesRunView } from '../jobs/kubernetes/kubernetesRun.ts';
import { type KubernetesTracking, trackKubernetesLaunch } from '../jobs/kubernetes/kubernetesTracker.ts';
import { TrackedElsewhere } from '../jobs/kubernetes/trackerLock.ts';
import { readRecordedRun } from '../jobs/recordedRun.ts';
import { runDir } from '../store/layout.ts';
import { followLog } from '../jobs/logFollower.ts';
import { submitKubernetesJob } from '../jobs/kubernetes/submitKubernetesJob.ts';
import { type CliIo, CommandError, INTERRUPTED_EXIT_CODE } from './cliIo.ts';

export interface KubernetesRunRequest {
  folder: string;
  storeDir: string;
  job: JobDefinition;
  plans: JobRunPlan[];
  context: string | undefined;
  namespace: string | undefined;
  detach: boolean;
  json: boolean;
}

/**
 * `mltrail run --backend kubernetes`: submits the job (a sweep as one Indexed Job), then, unless detached, follows
 * its pods' logs to stdout and its diagnoses to stderr until every run ends. Ctrl-C deletes the Job.
 */
export async function runOnKubernetes(request: KubernetesRunRequest, io: CliIo): Promise<number> {
  const { job, plans, folder, storeDir } = request;
  const declared = job.kubernetes ?? {};
  const context = request.context ?? (typeof declared.context === 'string' ? declared.context : undefined);
  const namespace = request.namespace ?? (typeof declared.namespace === 'string' ? declared.namespace : undefined);
  const connection = await connect(context);
  let submission;
  try {
    submission = await submitKubernetesJob({ connection, folder, storeDir, job, plans, ...(namespace === undefined ? {} : { namespace }) });
  } catch (error) {
    throw new CommandError(describeKubernetesError(error, connection));
  }
  const { placement, runs } = submission;
  const where = `${placement.namespace}/${placement.jobName} on context ${placement.context}`;
  if (request.detach) {
    if (request.json) {
      io.out(JSON.stringify(runs.map((run) => ({ id: run.id, job: run.plan.job, index: run.plan.index, name: run.plan.name, kubernetes: where })), null, 2) + '\n');
    } else {
      io.err(`mltrail: submitted Job ${where}\n`);
      io.out(runs.map((run) => `${run.id}  ${run.plan.name}\n`).join(''));
    }
    return 0;
  }

  io.err(`mltrail: submitted Job ${where} (${runs.length} run${runs.length === 1 ? '' : 's'}: ${runs.map((run) => run.id).join(', ')})\n`);
  const several = runs.length > 1;
  const reportError = rateLimitedReporter(io);
  const tracking = trackKubernetesLaunch({
    connection,
    storeDir,
    folder,
    placement,
    onLog: request.json ? undefined : (runId, text) => io.out(several ? prefixLines(`[${placement.runIds.indexOf(runId)}] `, text) : text),
    onDiagnosis: (view) => io.err(`mltrail: run ${view.runId}: ${describeDiagnosis(view)}\n`),
    onError: (error) => reportError((error as Error).message),
  });
  let interrupts = 0;
  let stopWaiting: () => void = () => undefined;
  const gaveUp = new Promise<undefined>((resolve) => (stopWaiting = () => resolve(undefined)));
  // The first Ctrl-C deletes the Job and waits for the runs to end; a second stops waiting (the cluster may be gone).
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) {
      io.err('mltrail: not waiting any longer; the runs end when the cluster confirms the Job is gone\n');
      stopWaiting();
      return;
    }
    io.err(`mltrail: deleting Job ${placement.namespace}/${placement.jobName} (Ctrl-C again to stop waiting)\n`);
    cancelKubernetesLaunch({ connection, storeDir, placement }).catch((error: unknown) => io.err(`mltrail: ${describeKubernetesError(error, connection)}\n`));
  };
  process.on('SIGINT', onInterrupt);
  let ends;
  try {
    ends = await Promise.race([tracking.finished, gaveUp]);
  } finally {
    process.off('SIGINT', onInterrupt);
    tracking.stop();
  }
  if (ends === undefined) return INTERRUPTED_EXIT_CODE;
  if (request.json) {
    const byId = new Map(runs.map((run) => [run.id, run.plan]));
    io.out(JSON.stringify(ends.map((end) => ({ id: end.runId, job: byId.get(end.runId)?.job, index: byId.get(end.runId)?.index, name: byId.get(end.runId)?.name, status: end.status, exitCode: end.exitCode ?? null })), null, 2) + '\n');
  } else {
    for (const end of ends) io.err(`mltrail: run ${end.runId} ${end.status}${end.exitCode === undefined ? '' : ` (exit code ${end.exitCode})`}\n`);
  }
  if (interrupts > 0) return INTERRUPTED_EXIT_CODE;
  const failed = ends.find((end) => end.status !== 'finished');
  if (!failed) return 0;
  return failed.exitCode !== undefined && failed.exitCode !== 0 ? failed.exitCode : 1;
}

/** The cluster of `context` (the current one when undefined), or a CommandError saying why there is none. */
export async function connect(context: string | undefined): Promise<KubernetesConnection> {
  try {
    return await connectKubernetes(context);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
}

/**
 * `mltrail logs --follow` on a running Kubernetes run: its launch is followed on the cluster from here (copying its
 * logs into logs.txt) while logs.txt is printed, unless another process here (a window, `mltrail run`) already
 * follows it: then logs.txt alone is printed as that process writes it.
 */
export async function followKubernetesRun(folder: string, storeDir: string, runId: string, placement: KubernetesPlacement, io: CliIo): Promise<void> {
  const dir = runDir(storeDir, runId);
  const connection = await connect(placement.context);
  // The tracker records a run's end once its log is copied, so the end record says logs.txt is whole; a point of a
  // sweep is done when its own run ends, not when the whole launch does.
  const isFinished = () => readRecordedRun(storeDir, runId)?.status !== 'running';
  let tracking: KubernetesTracking | undefined;
  try {
    tracking = trackKubernetesLaunch({ connection, storeDir, folder, placement });
  } catch (error) {
    // Another process here (a window, `mltrail run`) follows the launch: print logs.txt as it writes it.
    if (!(error instanceof TrackedElsewhere)) throw error;
  }
  try {
    await followLog(dir, io.out, { isFinished });
  } finally {
    tracking?.stop();
  }
}

/** `mltrail cancel` on a Kubernetes run: deletes its Job, so every run of a sweep ends. */
export async function cancelOnKubernetes(storeDir: string, placement: KubernetesPlacement, io: CliIo): Promise<number> {
  const connection = await connect(placement.context);
  try {
    const { jobDeleted } = await cancelKubernetesLaunch({ connection, storeDir, placement });
    const runs = placement.runIds.length;
    io.out(`${jobDeleted ? 'Deleted' : 'No longer found:'} Job ${placement.namespace}/${placement.jobName} on context ${placement.context}${runs > 1 ? ` (${runs} runs of the sweep)` : ''}.\n`);
    return 0;
  } catch (error) {
    throw new CommandError(describeKubernetesError(error, connection));
  }
}

function describeDiagnosis(view: KubernetesRunView): string {
  const diagnosis = view.diagnosis;
  if (!diagnosis) return view.phase;
  return [`${diagnosis.reason}: ${diagnosis.message}`, diagnosis.hint, diagnosis.detail].filter(Boolean).join('\n  ');
}

/** The tracker retries what fails (an unreachable cluster, a dropped stream): each message is said once a minute. */
function rateLimitedReporter(io: CliIo): (message: string) => void {
  const lastSaid = new Map<string, number>();
  return (message) => {
    const now = Date.now();
    if (now - (lastSaid.get(message) ?? -Infinity) < 60_000) return;
    lastSaid.set(message, now);
    io.err(`mltrail: ${message}\n`);
  };
}

function prefixLines(prefix: string, text: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}
