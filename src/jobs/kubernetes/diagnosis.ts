import { KUEUE_QUEUE_LABEL, type Diagnosis, type KubernetesPhase } from './kubernetesRun.ts';

// Where a run stands and why it is stuck or failed, from the cluster's objects as plain JSON (as a watch delivers
// them): the Job, the newest pod of the run's completion index, that pod's events and the tail of its log.

export interface ContainerStateObject {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatusObject {
  name: string;
  image?: string;
  restartCount?: number;
  state?: ContainerStateObject;
  lastState?: ContainerStateObject;
}

export interface ConditionObject {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ContainerObject {
  name: string;
  image?: string;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
}

export interface ObjectMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PodObject {
  metadata?: ObjectMetadata;
  spec?: { nodeName?: string; containers?: ContainerObject[] };
  status?: { phase?: string; reason?: string; message?: string; conditions?: ConditionObject[]; containerStatuses?: ContainerStatusObject[] };
}

export interface JobObject {
  metadata?: ObjectMetadata;
  spec?: { suspend?: boolean; completionMode?: string; template?: { spec?: { containers?: ContainerObject[] } } };
  status?: { conditions?: ConditionObject[]; completedIndexes?: string; failedIndexes?: string };
}

export interface EventObject {
  metadata?: ObjectMetadata;
  involvedObject?: { kind?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

/** What is known of one run (one completion index) on the cluster. */
export interface RunObjects {
  index: number;
  job?: JobObject;
  /** The Job was deleted (cancelled), or was not there when the tracker looked. */
  jobGone?: boolean;
  /** The newest pod of the run's index. */
  pod?: PodObject;
  /** That pod was deleted. */
  podGone?: boolean;
  /** The pod's events, any order. */
  events?: readonly EventObject[];
  /** The last lines of the crashed container's log, for Error and CrashLoopBackOff. */
  logTail?: readonly string[];
}

/** How many log lines an Error or CrashLoopBackOff diagnosis quotes. */
export const LOG_TAIL_LINES = 20;

export function runPhase(run: RunObjects): KubernetesPhase {
  const { job, pod } = run;
  if (pod?.status?.phase === 'Succeeded' || completedIndexes(job).has(run.index)) return 'succeeded';
  // With backoffLimitPerIndex the index fails on its own while the other indexes go on.
  if (failedIndexes(job).has(run.index)) return 'failed';
  if (run.jobGone) return 'killed';
  if (hasCondition(job, 'Complete')) return 'succeeded';
  if (hasCondition(job, 'Failed')) return 'failed';
  if (job?.spec?.suspend) return 'queued';
  if (!pod || (run.podGone && pod.status?.phase !== 'Failed')) return 'queued';
  switch (pod.status?.phase) {
    case 'Running':
      return 'running';
    case 'Pending':
      return isScheduled(pod) ? 'starting' : 'queued';
    default:
      // Failed while the Job goes on, the index not failed: a replacement pod is on its way.
      return 'starting';
  }
}

export function diagnoseRun(run: RunObjects): Diagnosis | undefined {
  const { job } = run;
  const failed = condition(job, 'Failed');
  if (failed?.reason === 'DeadlineExceeded') {
    return {
      reason: 'DeadlineExceeded',
      message: failed.message || 'The Job ran longer than its activeDeadlineSeconds',
      hint: 'Raise kubernetes.activeDeadlineSeconds in the job definition, or make the run shorter.',
    };
  }
  if (job?.spec?.suspend) return kueueDiagnosis(job);
  const podDiagnosis = run.pod ? diagnosePod(run.pod, run.events ?? [], run.logTail) : undefined;
  if (podDiagnosis) return podDiagnosis;
  if (failedIndexes(job).has(run.index)) {
    return {
      reason: 'BackoffLimitExceeded',
      message: `Index ${run.index} of the Job has reached its backoff limit`,
      hint: 'The pods of this index kept failing: see the run log, or raise kubernetes.backoffLimit to retry more often.',
    };
  }
  if (failed?.reason === 'BackoffLimitExceeded') {
    return {
      reason: 'BackoffLimitExceeded',
      message: failed.message || 'The Job has reached its backoff limit',
      hint: 'The pods kept failing: see the run log, or raise kubernetes.backoffLimit to retry more often.',
    };
  }
  return undefined;
}

/** Which log a diagnosis quotes: the crashed run before the restart for CrashLoopBackOff, else the container's own. */
export function logTailSource(diagnosis: Diagnosis | undefined): { previous: boolean } | undefined {
  if (diagnosis?.reason === 'CrashLoopBackOff') return { previous: true };
  if (diagnosis?.reason === 'Error') return { previous: false };
  return undefined;
}

function kueueDiagnosis(job: JobObject): Diagnosis | undefined {
  const queue = job.metadata?.labels?.[KUEUE_QUEUE_LABEL];
  if (!queue) return undefined;
  return {
    reason: 'KueueSuspended',
    message: `Waiting for Kueue to admit the Job from queue "${queue}"`,
    hint: 'Kueue starts the Job when the queue has quota for it: see the ClusterQueue behind this LocalQueue.',
  };
}

function diagnosePod(pod: PodObject, events: readonly EventObject[], logTail: readonly string[] | undefined): Diagnosis | undefined {
  const podName = pod.metadata?.name ?? '';
  if (pod.status?.reason === 'Evicted') {
    return {
      reason: 'Evicted',
      message: pod.status.message || `The kubelet evicted pod ${podName}`,
      detail: `Pod ${podName}`,
      hint: 'The node ran short of a resource: request what the job really uses (resources.memory), or pick another node.',
    };
  }
  const container = mainContainerStatus(pod);
  const name = container?.name ?? mainContainerName(pod) ?? 'main';
  const waiting = container?.state?.waiting;
  const crashLooping = waiting?.reason === 'CrashLoopBackOff';
  const terminated = container?.state?.terminated ?? (crashLooping ? container?.lastState?.terminated : undefined);
  if (terminated?.reason === 'OOMKilled') {
    const limit = memoryLimit(pod, name);
    return {
      reason: 'OOMKilled',
      message: `Container "${name}" was killed for using more memory than its limit${limit ? ` (${limit})` : ''}: exit code ${terminated.exitCode ?? 137}`,
      detail: `Pod ${podName}`,
      hint: 'Raise resources.memory in the job definition, or lower the batch size.',
    };
  }
  if (crashLooping) {
    const exitCode = container?.lastState?.terminated?.exitCode;
    return {
      reason: 'CrashLoopBackOff',
      message: `Container "${name}" keeps crashing${exitCode === undefined ? '' : ` (exit code ${exitCode})`}`,
      detail: crashDetail(`Pod ${podName}, restarted ${container?.restartCount ?? 0} times`, logTail),
      hint: 'The container fails at start: the last lines of its log say why.',
    };
  }
  if (waiting?.reason === 'ImagePullBackOff' || waiting?.reason === 'ErrImagePull') {
    const image = container?.image || mainContainerSpec(pod)?.image || '';
    const kubeletMessage = waiting.message || latestEvent(events, 'Failed')?.message;
    return {
      reason: waiting.reason,
      message: `Cannot pull image "${image}"${kubeletMessage ? `: ${kubeletMessage}` : ''}`,
      detail: `Pod ${podName}`,
      hint: 'Check kubernetes.image (name and tag) and that imagePullSecrets give the cluster access to its registry.',
    };
  }
  if (pod.status?.phase === 'Failed' && container?.state?.terminated && container.state.terminated.exitCode !== 0) {
    return {
      reason: 'Error',
      message: `Container "${name}" exited with code ${container.state.terminated.exitCode ?? 'unknown'}`,
      detail: crashDetail(`Pod ${podName}`, logTail),
      hint: 'The last lines of the log say why the job failed.',
    };
  }
  return unschedulable(pod, events);
}

function unschedulable(pod: PodObject, events: readonly EventObject[]): Diagnosis | undefined {
  if (pod.status?.phase !== 'Pending' || isScheduled(pod)) return undefined;
  const scheduled = pod.status.conditions?.find((candidate) => candidate.type === 'PodScheduled');
  const event = latestEvent(events, 'FailedScheduling');
  const refused = scheduled?.status === 'False' && scheduled.reason === 'Unschedulable';
  if (!refused && !event) return undefined;
  const message = (refused && scheduled?.message) || event?.message || 'No node can run the pod';
  const lacksGpus = /nvidia\.com\/gpu/.test(message);
  return {
    reason: 'Unschedulable',
    message,
    detail: `Pod ${pod.metadata?.name ?? ''}`,
    hint: lacksGpus
      ? 'Lower resources.gpus, pick a gpuType the cluster has, or pick a context with free nvidia.com/gpu.'
      : "No node fits the pod's requests, node selector and tolerations: lower resources or pick another context.",
  };
}

function crashDetail(about: string, logTail: readonly string[] | undefined): string {
  if (!logTail || logTail.length === 0) return about;
  return `${about}. Last ${logTail.length} log lines:\n${logTail.join('\n')}`;
}

function mainContainerName(pod: PodObject): string | undefined {
  return pod.spec?.containers?.[0]?.name;
}

function mainContainerSpec(pod: PodObject): ContainerObject | undefined {
  return pod.spec?.containers?.[0];
}

/** The status of the pod's first container: the job's command runs there. */
export function mainContainerStatus(pod: PodObject): ContainerStatusObject | undefined {
  const statuses = pod.status?.containerStatuses;
  const name = mainContainerName(pod);
  return statuses?.find((status) => status.name === name) ?? statuses?.[0];
}

function memoryLimit(pod: PodObject, containerName: string): string | undefined {
  const container = pod.spec?.containers?.find((candidate) => candidate.name === containerName);
  const limit = container?.resources?.limits?.memory;
  return limit === undefined ? undefined : String(limit);
}

function isScheduled(pod: PodObject): boolean {
  if (pod.spec?.nodeName) return true;
  return pod.status?.conditions?.some((candidate) => candidate.type === 'PodScheduled' && candidate.status === 'True') ?? false;
}

function condition(job: JobObject | undefined, type: string): ConditionObject | undefined {
  return job?.status?.conditions?.find((candidate) => candidate.type === type && candidate.status === 'True');
}

function hasCondition(job: JobObject | undefined, type: string): boolean {
  return condition(job, type) !== undefined;
}

function latestEvent(events: readonly EventObject[], reason: string): EventObject | undefined {
  let latest: EventObject | undefined;
  for (const event of events) {
    if (event.reason !== reason) continue;
    if (!latest || (eventTime(event) ?? 0) >= (eventTime(latest) ?? 0)) latest = event;
  }
  return latest;
}

/** When an event last happened, epoch ms. */
export function eventTime(event: EventObject): number | undefined {
  return epochMs(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp);
}

export function epochMs(time: string | undefined): number | undefined {
  if (!time) return undefined;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Job.status.completedIndexes (`0-2,4`) as a set. */
export function completedIndexes(job: JobObject | undefined): Set<number> {
  return indexSet(job?.status?.completedIndexes);
}

/** Job.status.failedIndexes: the indexes that failed more often than spec.backoffLimitPerIndex allows. */
export function failedIndexes(job: JobObject | undefined): Set<number> {
  return indexSet(job?.status?.failedIndexes);
}

/** A Job status list of indexes (`0,1,3-5`) as a set. */
function indexSet(ranges: string | undefined): Set<number> {
  const indexes = new Set<number>();
  for (const range of (ranges ?? '').split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let index = first; index <= last; index++) indexes.add(index);
  }
  return indexes;
}
