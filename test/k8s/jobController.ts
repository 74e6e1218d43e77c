// A scripted stand-in for the Job controller, the scheduler and the kubelet. When a Job is created (or unsuspended)
// it creates its pods; each pod then walks through a script of PodSteps, one step per advance(), and the Job's status
// (active/ready/succeeded/failed, completedIndexes, Complete/Failed/Suspended conditions) follows its pods.
//
// Scripts are chosen per pod by `chooseScript`, else by the `mltrail.test/script` label on the pod template (a name in
// podScripts), else `defaultScript`. A failed pod is replaced (same index, next attempt) until spec.backoffLimit (the
// failures of the whole Job) is exceeded, which fails the Job. An Indexed Job with spec.backoffLimitPerIndex counts the
// failures of each index too: an index that fails more often is listed in status.failedIndexes and not run again while
// the other indexes go on; once every index has succeeded or failed, the Job fails with reason FailedIndexes (at once,
// with MaxFailedIndexesExceeded, when more indexes failed than spec.maxFailedIndexes).
import type { Change, KubeObject, ObjectStore } from './objectStore.ts';
import type { PodLogs } from './podLogs.ts';
import { insufficientGpuMessage, podScripts, scriptLabel, type JobFailureReason, type PodScriptName, type PodStep } from './podScripts.ts';

/** Why the controller itself fails a Job, beyond what a pod script can make it do. */
type ControllerFailureReason = JobFailureReason | 'FailedIndexes' | 'MaxFailedIndexesExceeded';

const FAILURE_MESSAGES: Record<ControllerFailureReason, string> = {
  DeadlineExceeded: 'Job was active longer than specified deadline',
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  FailedIndexes: 'Job has failed indexes',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
};

/** On the pods of a Job with backoffLimitPerIndex: how often their index failed before. */
const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';

export interface PodScriptContext {
  job: KubeObject;
  /** The completion index for Indexed Jobs, else the pod's ordinal within the Job. */
  index: number;
  /** 0 for the first pod of an index, 1 for its first replacement, ... */
  attempt: number;
}

export interface JobControllerOptions {
  chooseScript?: (context: PodScriptContext) => PodStep[] | undefined;
  defaultScript?: PodScriptName;
  nodeName?: string;
}

interface TrackedPod {
  namespace: string;
  name: string;
  jobUid: string;
  index: number;
  steps: PodStep[];
  terminal: boolean;
}

interface JobProgress {
  namespace: string;
  name: string;
  uid: string;
  suspended: boolean;
  finished: boolean;
  succeeded: number;
  failed: number;
  succeededIndexes: Set<number>;
  /** The indexes that failed more often than spec.backoffLimitPerIndex allows. */
  failedIndexes: Set<number>;
  /** Failed pods per index, for spec.backoffLimitPerIndex. */
  indexFailures: Map<number, number>;
  attempts: Map<number, number>;
  nextOrdinal: number;
}

const podNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export class JobController {
  #store: ObjectStore;
  #logs: PodLogs;
  #options: JobControllerOptions;
  #pods = new Map<string, TrackedPod>();
  #jobs = new Map<string, JobProgress>();
  #podsCreated = 0;
  #eventsRecorded = 0;
  #autoAdvance: NodeJS.Timeout | undefined;
  #unsubscribe: () => void;

  constructor(store: ObjectStore, logs: PodLogs, options: JobControllerOptions = {}) {
    this.#store = store;
    this.#logs = logs;
    this.#options = options;
    // Deferred so that the change that triggered a reaction reaches every watcher before the reaction's changes do.
    this.#unsubscribe = store.subscribe((change) => queueMicrotask(() => this.#react(change)));
  }

  /** Takes the next step of every pod that has one, in creation order; returns how many steps were taken. */
  advance(): number {
    let taken = 0;
    for (const pod of [...this.#pods.values()]) {
      const step = pod.steps.shift();
      if (!step || !this.#store.get('pods', pod.namespace, pod.name)) continue;
      this.#apply(pod, step);
      taken++;
    }
    return taken;
  }

  /** Advances until no pod has a step left (pods created on the way included); waits for queued reactions. */
  async runToEnd(maxRounds = 100): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.advance() === 0) return;
    }
    throw new Error(`pods still had steps after ${maxRounds} rounds`);
  }

  /** Calls advance() every `intervalMs` until stopAutoAdvance() or stop(). */
  autoAdvance(intervalMs: number): void {
    this.stopAutoAdvance();
    this.#autoAdvance = setInterval(() => this.advance(), intervalMs);
  }

  stopAutoAdvance(): void {
    clearInterval(this.#autoAdvance);
    this.#autoAdvance = undefined;
  }

  /** What Kueue does on admission. */
  unsuspend(namespace: string, name: string): void {
    this.#store.mutate('jobs', namespace, name, (job) => {
      job.spec.suspend = false;
    });
  }

  stop(): void {
    this.stopAutoAdvance();
    this.#unsubscribe();
  }

  #react(change: Change): void {
    const { metadata } = change.object;
    if (change.resource === 'pods' && change.type === 'DELETED') {
      this.#pods.delete(`${metadata.namespace}/${metadata.name}`);
      this.#logs.removePod(metadata.namespace, metadata.name);
      const owner = metadata.ownerReferences?.[0];
      if (owner) this.#updateJobStatus(owner.uid);
      return;
    }
    if (change.resource !== 'jobs') return;
    if (change.type === 'DELETED') {
      this.#jobs.delete(metadata.uid);
      return;
    }
    const job = this.#store.get('jobs', metadata.namespace, metadata.name);
    if (!job || job.metadata.uid !== metadata.uid) return;
    let progress = this.#jobs.get(metadata.uid);
    if (!progress) {
      progress = { namespace: metadata.namespace, name: metadata.name, uid: metadata.uid, suspended: false, finished: false, succeeded: 0, failed: 0, succeededIndexes: new Set(), failedIndexes: new Set(), indexFailures: new Map(), attempts: new Map(), nextOrdinal: 0 };
      this.#jobs.set(metadata.uid, progress);
      if (job.spec.suspend) this.#suspend(progress);
      else this.#start(progress);
    } else if (!progress.finished && job.spec.suspend !== progress.suspended) {
      if (job.spec.suspend) this.#suspend(progress);
      else this.#start(progress);
    }
  }

  #start(progress: JobProgress): void {
    const wasSuspended = progress.suspended;
    progress.suspended = false;
    this.#store.mutate('jobs', progress.namespace, progress.name, (job) => {
      job.status.startTime ??= this.#store.timestamp();
      if (wasSuspended) setCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', this.#store.timestamp());
    });
    if (wasSuspended) this.#recordEvent(this.#job(progress)!, 'Normal', 'Resumed', 'Job resumed', 'job-controller');
    this.#fillPods(progress);
  }

  #suspend(progress: JobProgress): void {
    progress.suspended = true;
    for (const pod of this.#activePods(progress.uid)) this.#store.delete('pods', pod.namespace, pod.name);
    this.#store.mutate('jobs', progress.namespace, progress.name, (job) => {
      setCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', this.#store.timestamp());
    });
    this.#recordEvent(this.#job(progress)!, 'Normal', 'Suspended', 'Job suspended', 'job-controller');
    this.#updateJobStatus(progress.uid);
  }

  #fillPods(progress: JobProgress): void {
    const job = this.#job(progress);
    if (!job || progress.finished || progress.suspended) return;
    const { completions, parallelism, completionMode } = job.spec;
    const active = this.#activePods(progress.uid);
    let room = parallelism - active.length;
    if (completionMode === 'Indexed') {
      const busy = new Set(active.map((pod) => pod.index));
      for (let index = 0; index < completions && room > 0; index++) {
        if (progress.succeededIndexes.has(index) || progress.failedIndexes.has(index) || busy.has(index)) continue;
        this.#createPod(job, progress, index);
        room--;
      }
    } else {
      const wanted = Math.min(room, completions - progress.succeeded - active.length);
      for (let i = 0; i < wanted; i++) this.#createPod(job, progress, progress.nextOrdinal++);
    }
    this.#updateJobStatus(progress.uid);
  }

  #createPod(job: KubeObject, progress: JobProgress, index: number): void {
    const indexed = job.spec.completionMode === 'Indexed';
    const attempt = progress.attempts.get(index) ?? 0;
    progress.attempts.set(index, attempt + 1);
    const generateName = indexed ? `${job.metadata.name}-${index}-` : `${job.metadata.name}-`;
    const template = job.spec.template;
    const indexFields = indexed ? { 'batch.kubernetes.io/job-completion-index': String(index) } : {};
    const failureCount = hasBackoffLimitPerIndex(job) ? { [INDEX_FAILURE_COUNT_ANNOTATION]: String(progress.indexFailures.get(index) ?? 0) } : {};
    const pod = this.#store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: generateName + this.#podSuffix(),
        generateName,
        namespace: job.metadata.namespace,
        uid: '',
        resourceVersion: '',
        creationTimestamp: '',
        labels: { ...template.metadata?.labels, ...indexFields },
        annotations: { ...template.metadata?.annotations, ...indexFields, ...failureCount },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...template.spec, schedulerName: 'default-scheduler' },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
    for (const container of containerNames(pod)) this.#logs.waiting(pod.metadata.namespace, pod.metadata.name, container, 'ContainerCreating');
    this.#pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, {
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      jobUid: job.metadata.uid,
      index,
      steps: [...this.#scriptFor({ job, index, attempt })],
      terminal: false,
    });
    this.#recordEvent(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'job-controller');
  }

  #scriptFor(context: PodScriptContext): PodStep[] {
    const chosen = this.#options.chooseScript?.(context);
    if (chosen) return chosen;
    const name = context.job.spec.template.metadata?.labels?.[scriptLabel] as PodScriptName | undefined;
    if (name && !(name in podScripts)) throw new Error(`no pod script named ${name}`);
    return podScripts[name ?? this.#options.defaultScript ?? 'succeed'];
  }

  #podSuffix(): string {
    let value = ++this.#podsCreated;
    let suffix = '';
    for (let i = 0; i < 5; i++, value = Math.floor(value / podNameAlphabet.length)) suffix = podNameAlphabet[value % podNameAlphabet.length] + suffix;
    return suffix;
  }

  #apply(tracked: TrackedPod, step: PodStep): void {
    const { namespace, name } = tracked;
    const pod = this.#store.get('pods', namespace, name)!;
    const now = this.#store.timestamp();
    const containers = containerNames(pod);
    const main = containers[0]!;
    const image = pod.spec.containers[0].image ?? '';
    switch (step.kind) {
      case 'unschedulable': {
        this.#updatePod(pod, (status) => {
          status.phase = 'Pending';
          status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: step.message ?? insufficientGpuMessage, lastProbeTime: null, lastTransitionTime: now }];
        });
        this.#recordEvent(pod, 'Warning', 'FailedScheduling', step.message ?? insufficientGpuMessage, 'default-scheduler');
        return;
      }
      case 'image-pull-error': {
        this.#schedule(pod);
        const message = step.reason === 'ErrImagePull' ? `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found` : `Back-off pulling image "${image}"`;
        this.#updatePod(pod, (status) => {
          status.containerStatuses = containers.map((container) => ({ ...containerStatus(container, pod, status), state: { waiting: { reason: step.reason, message } } }));
        });
        for (const container of containers) this.#logs.waiting(namespace, name, container, `trying and failing to pull image`);
        if (step.reason === 'ErrImagePull') this.#recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, 'kubelet');
        else this.#recordEvent(pod, 'Normal', 'BackOff', message, 'kubelet');
        this.#recordEvent(pod, 'Warning', 'Failed', `Error: ${step.reason}`, 'kubelet');
        return;
      }
      case 'running': {
        this.#schedule(pod);
        this.#updatePod(pod, (status) => {
          status.phase = 'Running';
          status.containerStatuses = containers.map((container) => ({
            ...containerStatus(container, pod, status),
            state: { running: { startedAt: now } },
            ready: true,
            started: true,
          }));
          setPodCondition(status, 'Ready', 'True', now);
        });
        this.#startContainers(pod, step.logs ?? []);
        return;
      }
      case 'log':
        for (const line of step.lines) this.#logs.append(namespace, name, main, line, this.#store.now());
        return;
      case 'ran': {
        // Started, printed and exited between two status updates: the pod goes from Pending to its end at once.
        this.#schedule(pod);
        this.#startContainers(pod, step.logs);
        if (step.exitCode === 0) return this.#terminate(tracked, pod, 'Succeeded', { exitCode: 0, reason: 'Completed' });
        return this.#terminate(tracked, pod, 'Failed', { exitCode: step.exitCode, reason: 'Error' });
      }
      case 'succeeded':
        return this.#terminate(tracked, pod, 'Succeeded', { exitCode: 0, reason: 'Completed' });
      case 'failed':
        return this.#terminate(tracked, pod, 'Failed', { exitCode: step.exitCode, reason: 'Error' });
      case 'oom-killed':
        return this.#terminate(tracked, pod, 'Failed', { exitCode: 137, reason: 'OOMKilled' });
      case 'evicted': {
        const message = step.message ?? `The node was low on resource: memory. Threshold quantity: 100Mi, available: 64Mi. Container ${main} was using 30Gi, request is 16Gi, has larger consumption of memory.`;
        this.#recordEvent(pod, 'Warning', 'Evicted', message, 'kubelet');
        return this.#terminate(tracked, pod, 'Failed', { exitCode: 137, reason: 'Error' }, { reason: 'Evicted', message });
      }
      case 'crash': {
        this.#updatePod(pod, (status) => {
          status.containerStatuses = containers.map((container) => {
            const previous = containerStatus(container, pod, status);
            return {
              ...previous,
              lastState: { terminated: { exitCode: step.exitCode, reason: 'Error', startedAt: previous.state?.running?.startedAt ?? now, finishedAt: now } },
              state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${container} pod=${name}_${namespace}(${pod.metadata.uid})` } },
              restartCount: (previous.restartCount ?? 0) + 1,
              ready: false,
              started: false,
            };
          });
          setPodCondition(status, 'Ready', 'False', now);
        });
        for (const container of containers) this.#logs.crash(namespace, name, container);
        this.#recordEvent(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${main} in pod ${name}_${namespace}(${pod.metadata.uid})`, 'kubelet');
        return;
      }
      case 'job-failed': {
        const progress = this.#jobs.get(tracked.jobUid);
        if (progress) this.#failJob(progress, step.reason);
        return;
      }
    }
  }

  /** The kubelet's part of a container start: its events, a new run of its log, the main container's first lines. */
  #startContainers(pod: KubeObject, lines: string[]): void {
    const { namespace, name } = pod.metadata;
    const containers = containerNames(pod);
    this.#recordEvent(pod, 'Normal', 'Pulled', `Container image "${pod.spec.containers[0].image ?? ''}" already present on machine`, 'kubelet');
    for (const container of containers) {
      this.#recordEvent(pod, 'Normal', 'Created', `Created container ${container}`, 'kubelet');
      this.#recordEvent(pod, 'Normal', 'Started', `Started container ${container}`, 'kubelet');
      this.#logs.start(namespace, name, container);
    }
    for (const line of lines) this.#logs.append(namespace, name, containers[0]!, line, this.#store.now());
  }

  #schedule(pod: KubeObject): void {
    if (pod.spec.nodeName) return;
    const nodeName = this.#options.nodeName ?? 'gpu-node-1';
    const now = this.#store.timestamp();
    pod.spec.nodeName = nodeName;
    this.#updatePod(pod, (status) => {
      status.startTime = now;
      status.hostIP = '10.0.0.11';
      status.podIP = '10.244.1.' + (this.#podsCreated % 250);
      status.conditions = [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }];
    });
    this.#recordEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, 'default-scheduler');
  }

  #terminate(tracked: TrackedPod, pod: KubeObject, phase: 'Succeeded' | 'Failed', exit: { exitCode: number; reason: string }, podReason?: { reason: string; message: string }): void {
    const now = this.#store.timestamp();
    const containers = containerNames(pod);
    this.#updatePod(pod, (status) => {
      status.phase = phase;
      if (podReason) Object.assign(status, podReason);
      status.containerStatuses = containers.map((container) => {
        const previous = containerStatus(container, pod, status);
        return { ...previous, state: { terminated: { ...exit, startedAt: previous.state?.running?.startedAt ?? now, finishedAt: now } }, ready: false, started: false };
      });
      setPodCondition(status, 'Ready', 'False', now);
    });
    for (const container of containers) this.#logs.terminate(pod.metadata.namespace, pod.metadata.name, container);
    tracked.terminal = true;
    tracked.steps = [];
    this.#podFinished(tracked, phase);
  }

  #podFinished(tracked: TrackedPod, phase: 'Succeeded' | 'Failed'): void {
    const progress = this.#jobs.get(tracked.jobUid);
    const job = progress && this.#job(progress);
    if (!progress || !job || progress.finished) return;
    if (phase === 'Succeeded') {
      progress.succeeded++;
      progress.succeededIndexes.add(tracked.index);
      const done = job.spec.completionMode === 'Indexed' ? progress.succeededIndexes.size >= job.spec.completions : progress.succeeded >= job.spec.completions;
      if (done) return this.#completeJob(progress);
    } else {
      progress.failed++;
      if (progress.failed > job.spec.backoffLimit) return this.#failJob(progress, 'BackoffLimitExceeded');
      if (!this.#indexFailed(job, progress, tracked.index)) this.#createPod(job, progress, tracked.index);
    }
    if (progress.failedIndexes.size > (job.spec.maxFailedIndexes ?? Infinity)) return this.#failJob(progress, 'MaxFailedIndexesExceeded');
    if (progress.failedIndexes.size > 0 && progress.failedIndexes.size + progress.succeededIndexes.size >= job.spec.completions) return this.#failJob(progress, 'FailedIndexes');
    this.#fillPods(progress);
  }

  /** Counts a failure of the index against spec.backoffLimitPerIndex; true when the index has failed for good. */
  #indexFailed(job: KubeObject, progress: JobProgress, index: number): boolean {
    if (!hasBackoffLimitPerIndex(job)) return false;
    const failures = (progress.indexFailures.get(index) ?? 0) + 1;
    progress.indexFailures.set(index, failures);
    if (failures <= job.spec.backoffLimitPerIndex) return false;
    progress.failedIndexes.add(index);
    return true;
  }

  #completeJob(progress: JobProgress): void {
    progress.finished = true;
    const now = this.#store.timestamp();
    this.#store.mutate('jobs', progress.namespace, progress.name, (job) => {
      job.status.completionTime = now;
      setCondition(job, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      setCondition(job, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    });
    this.#recordEvent(this.#job(progress)!, 'Normal', 'Completed', 'Job completed', 'job-controller');
    this.#updateJobStatus(progress.uid);
  }

  #failJob(progress: JobProgress, reason: ControllerFailureReason): void {
    progress.finished = true;
    const message = FAILURE_MESSAGES[reason];
    for (const pod of this.#activePods(progress.uid)) {
      this.#store.delete('pods', pod.namespace, pod.name);
      this.#pods.delete(`${pod.namespace}/${pod.name}`);
      this.#logs.removePod(pod.namespace, pod.name);
    }
    const now = this.#store.timestamp();
    this.#store.mutate('jobs', progress.namespace, progress.name, (job) => {
      setCondition(job, 'FailureTarget', 'True', reason, message, now);
      setCondition(job, 'Failed', 'True', reason, message, now);
    });
    this.#recordEvent(this.#job(progress)!, 'Warning', reason, message, 'job-controller');
    this.#updateJobStatus(progress.uid);
  }

  #updateJobStatus(jobUid: string): void {
    const progress = this.#jobs.get(jobUid);
    if (!progress || !this.#job(progress)) return;
    const active = this.#activePods(jobUid);
    const ready = active.filter((tracked) => this.#store.get('pods', tracked.namespace, tracked.name)?.status?.containerStatuses?.every((c: { ready: boolean }) => c.ready)).length;
    this.#store.mutate('jobs', progress.namespace, progress.name, (job) => {
      const status = job.status;
      for (const [field, count] of [['active', active.length], ['succeeded', progress.succeeded], ['failed', progress.failed]] as const) {
        if (count > 0) status[field] = count;
        else delete status[field];
      }
      status.ready = ready;
      status.terminating = 0;
      if (job.spec.completionMode === 'Indexed' && progress.succeededIndexes.size > 0) status.completedIndexes = indexRanges(progress.succeededIndexes);
      if (hasBackoffLimitPerIndex(job)) status.failedIndexes = indexRanges(progress.failedIndexes);
      status.uncountedTerminatedPods ??= {};
    });
  }

  #activePods(jobUid: string): TrackedPod[] {
    return [...this.#pods.values()].filter((pod) => pod.jobUid === jobUid && !pod.terminal);
  }

  #job(progress: JobProgress): KubeObject | undefined {
    const job = this.#store.get('jobs', progress.namespace, progress.name);
    return job?.metadata.uid === progress.uid ? job : undefined;
  }

  #updatePod(pod: KubeObject, change: (status: any) => void): void {
    const updated = this.#store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (stored) => {
      stored.spec = pod.spec;
      change(stored.status);
    });
    pod.status = updated.status;
  }

  #recordEvent(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const now = this.#store.timestamp();
    this.#store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object.metadata.name}.${(++this.#eventsRecorded).toString(16).padStart(16, '0')}`, namespace: object.metadata.namespace, uid: '', resourceVersion: '', creationTimestamp: '' },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}

function containerNames(pod: KubeObject): string[] {
  return pod.spec.containers.map((container: { name: string }) => container.name);
}

function containerStatus(name: string, pod: KubeObject, status: any): any {
  const existing = status.containerStatuses?.find((candidate: { name: string }) => candidate.name === name);
  const spec = pod.spec.containers.find((candidate: { name: string }) => candidate.name === name);
  return existing ?? { name, image: spec?.image ?? '', imageID: '', restartCount: 0, ready: false, started: false, lastState: {} };
}

function setCondition(job: KubeObject, type: string, status: string, reason: string, message: string, now: string): void {
  job.status.conditions ??= [];
  const conditions = job.status.conditions as any[];
  const condition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
  const at = conditions.findIndex((existing) => existing.type === type);
  if (at >= 0) conditions[at] = condition;
  else conditions.push(condition);
}

function setPodCondition(status: any, type: string, value: string, now: string): void {
  status.conditions = [...(status.conditions ?? []).filter((condition: { type: string }) => condition.type !== type), { type, status: value, lastProbeTime: null, lastTransitionTime: now }];
}

function hasBackoffLimitPerIndex(job: KubeObject): boolean {
  return job.spec.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;
}

/**
 * `0,1,3-5`, as Job.status.completedIndexes and failedIndexes write a set of indexes: three or more consecutive
 * indexes as a range, two as two numbers.
 */
function indexRanges(indexes: Set<number>): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (sorted[i + 1] === sorted[i]! + 1) i++;
    const end = sorted[i]!;
    ranges.push(start === end ? String(start) : end === start + 1 ? `${start},${end}` : `${start}-${end}`);
  }
  return ranges.join(',');
}
