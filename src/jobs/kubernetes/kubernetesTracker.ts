import fs from 'node:fs';
import path from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import { appendLines } from '../../platform/atomicFile.ts';
import type { EndStatus } from '../../runs/records.ts';
import { runDir } from '../../store/layout.ts';
import { LOGS_FILE, reportJobProblem } from '../jobFiles.ts';
import { registerPendingModels } from '../jobModels.ts';
import { applyNewLogLines } from '../logApplier.ts';
import {
  type EventObject,
  type JobObject,
  type PodObject,
  type RunObjects,
  LOG_TAIL_LINES,
  diagnoseRun,
  epochMs,
  eventTime,
  logTailSource,
  mainContainerStatus,
  runPhase,
} from './diagnosis.ts';
import { GPU_RESOURCE } from './jobManifest.ts';
import { describeKubernetesError, readableKubernetesError } from './kubernetesErrors.ts';
import {
  COMPLETION_INDEX_ANNOTATION,
  COMPLETION_INDEX_LABEL,
  EVENTS_FILE,
  LAUNCH_ID_LABEL,
  type Diagnosis,
  type KubernetesConnection,
  type KubernetesPhase,
  type KubernetesPlacement,
  type KubernetesRunState,
  type KubernetesRunView,
  type PodLogCursor,
} from './kubernetesRun.ts';
import { readKubernetesRunState, writeKubernetesRunState } from './kubernetesRunState.ts';
import { LatestOnly } from './latestOnly.ts';
import { type PodLogCopy, copyPodLog } from './podLogCopier.ts';
import { type ResilientWatch, plainObjects, startResilientWatch } from './resilientWatch.ts';
import { type RecordedEnd, endRunOnce, endStatusOf, isEndPhase, phaseOfEnd, readEndRecord } from './runEnd.ts';
import { claimLaunch } from './trackerLock.ts';

export interface KubernetesTrackOptions {
  connection: KubernetesConnection;
  storeDir: string;
  /** The workspace folder: where mltrail.json declares the models that runs register. */
  folder: string;
  placement: KubernetesPlacement;
  /** Called as soon as an event changes any run's view. */
  onChange?(views: KubernetesRunView[]): void;
  /** Text as appended to the run's logs.txt, as it arrives. */
  onLog?(runId: string, text: string): void;
  /** Once per new diagnosis of a run. */
  onDiagnosis?(view: KubernetesRunView): void;
  /**
   * A failure the tracker gets over by retrying (the cluster unreachable, a dropped log stream, ...): an Error whose
   * message is one readable line (describeKubernetesError), the original error as its `cause`.
   */
  onError?(error: Error): void;
  /** Copy the pods' logs into logs.txt; default true. */
  followLogs?: boolean;
}

export interface KubernetesTracking {
  views(): KubernetesRunView[];
  /** Resolves when every run of the launch has ended; stays pending when stop() comes first. */
  finished: Promise<Array<{ runId: string; status: EndStatus; exitCode?: number }>>;
  /** Closes the watches and log streams; the runs go on on the cluster and a new tracker picks them up. */
  stop(): void;
}

/** How long an ending run waits for the rest of its pods' logs before recording its end anyway. */
const FINAL_LOG_WAIT_MS = 10_000;

interface KnownPod {
  pod: PodObject;
  gone: boolean;
  /** The order pods were first seen in: the last tie-breaker for "newest". */
  seen: number;
}

interface TrackedRun {
  runId: string;
  dir: string;
  index: number;
  state: KubernetesRunState;
  pods: Map<string, KnownPod>;
  /** The events last listed for each pod, by pod name, for the diagnosis. */
  events: Map<string, EventObject[]>;
  logTail?: { key: string; lines: string[] };
  /** The last log tail fetch started. */
  logTailFetch?: { key: string; done: Promise<void> };
  copies: Map<string, PodLogCopy>;
  /** Diagnoses already announced through onDiagnosis, by reason and message. */
  announced: Set<string>;
  ending?: Promise<void>;
  end?: RecordedEnd;
  endedAt?: number;
}

/**
 * Follows a Kubernetes launch (one Job, one run per completion index) until each run ends: one watch on its pods and
 * one on its Job drive each run's phase and diagnosis (saved in job-state.json and pushed through onChange at once);
 * events are copied into events.jsonl, logs into logs.txt (protocol records applied as they arrive), and each run's
 * end is recorded once. Attached again after a reload, it goes on from what the runs' job-state.json says. Throws
 * TrackedElsewhere while another live process on this machine follows the launch: that one is writing the store.
 */
export function trackKubernetesLaunch(options: KubernetesTrackOptions): KubernetesTracking {
  const tracker = new LaunchTracker(options);
  return { views: () => tracker.views(), finished: tracker.finished, stop: () => tracker.stop() };
}

class LaunchTracker {
  readonly finished: Promise<Array<{ runId: string; status: EndStatus; exitCode?: number }>>;
  #options: KubernetesTrackOptions;
  #placement: KubernetesPlacement;
  #runs: TrackedRun[];
  #job: JobObject | undefined;
  #jobGone = false;
  #ready = false;
  #stopped = false;
  #podsSeen = 0;
  #watches: ResilientWatch[] = [];
  #requests = new LatestOnly();
  #lastViews = '';
  #emitQueued = false;
  #core: CoreV1Api | undefined;
  #release: (() => void) | undefined;
  #resolveFinished!: (results: Array<{ runId: string; status: EndStatus; exitCode?: number }>) => void;

  constructor(options: KubernetesTrackOptions) {
    this.#options = options;
    this.#placement = options.placement;
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    if (options.placement.runIds.length === 0) throw new Error(`Kubernetes launch ${options.placement.launchId} has no runs to track`);
    this.#runs = options.placement.runIds.map((runId, index) => this.#loadRun(runId, index));
    if (this.#checkAllEnded()) return;
    this.#release = claimLaunch((this.#runs[0] as TrackedRun).dir);
    this.#start().catch((error: unknown) => this.#reportError(error));
  }

  views(): KubernetesRunView[] {
    return this.#runs.map((run) => this.#view(run));
  }

  stop(): void {
    this.#stopped = true;
    this.#release?.();
    for (const watch of this.#watches) watch.stop();
    for (const run of this.#runs) for (const copy of run.copies.values()) copy.stop();
  }

  #loadRun(runId: string, index: number): TrackedRun {
    const dir = runDir(this.#options.storeDir, runId);
    if (!fs.existsSync(dir)) throw new Error(`Run ${runId} of Kubernetes launch ${this.#placement.launchId} is not in the store ${this.#options.storeDir}`);
    const saved = readKubernetesRunState(dir);
    const state: KubernetesRunState = saved ?? { placement: this.#placement, index, phase: 'queued', pods: {}, copiedEvents: [] };
    const run: TrackedRun = { runId, dir, index, state, pods: new Map(), events: new Map(), copies: new Map(), announced: new Set() };
    if (state.diagnosis) run.announced.add(diagnosisKey(state.diagnosis));
    const end = readEndRecord(dir);
    const phase = end ? phaseOfEnd(end.status) : state.phase;
    if (end) run.end = end;
    if (!saved || phase !== state.phase) {
      run.state = { ...state, phase };
      this.#persist(run);
    }
    return run;
  }

  async #start(): Promise<void> {
    const { BatchV1Api, CoreV1Api } = await import('./kubernetesClient.ts');
    if (this.#stopped) return;
    const { kubeConfig } = this.#options.connection;
    // The launch's own namespace: the submit may have put it elsewhere than the context's namespace.
    const { namespace } = this.#placement;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const batch = kubeConfig.makeApiClient(BatchV1Api);
    this.#core = core;
    const labelSelector = `${LAUNCH_ID_LABEL}=${this.#placement.launchId}`;
    const fieldSelector = `metadata.name=${this.#placement.jobName}`;
    const onError = (error: unknown) => this.#reportError(error);
    const jobs = startResilientWatch<JobObject>({
      kubeConfig,
      path: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
      fieldSelector,
      list: async () => listed<JobObject>(await batch.listNamespacedJob({ namespace, fieldSelector })),
      onChange: (change, job) => this.#onJob(change === 'DELETED' ? undefined : job),
      onSynced: (present) => {
        if (present.length === 0) this.#onJob(undefined);
      },
      onError,
    });
    const pods = startResilientWatch<PodObject>({
      kubeConfig,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      labelSelector,
      list: async () => listed<PodObject>(await core.listNamespacedPod({ namespace, labelSelector })),
      onChange: (change, pod) => this.#onPod(pod, change === 'DELETED'),
      onError,
    });
    this.#watches.push(jobs, pods);
    await Promise.all([jobs.synced, pods.synced]);
    if (this.#stopped) return;
    // Runs are refreshed once both collections are known, so that a reattached tracker shows no transient phase.
    this.#ready = true;
    this.#requestEvents('Job', this.#placement.jobName);
    for (const run of this.#runs) {
      if (run.end) continue;
      for (const [name, known] of run.pods) {
        this.#requestEvents('Pod', name);
        if (!known.gone) this.#ensureLogCopy(run, name);
      }
      this.#refresh(run);
    }
  }

  #onJob(job: JobObject | undefined): void {
    if (this.#stopped) return;
    this.#job = job;
    this.#jobGone = job === undefined;
    if (!this.#ready) return;
    if (job) this.#requestEvents('Job', this.#placement.jobName);
    for (const run of this.#runs) this.#refresh(run);
  }

  #onPod(pod: PodObject, deleted: boolean): void {
    const name = pod.metadata?.name;
    const run = this.#runOf(pod);
    if (this.#stopped || !name || !run) return;
    const known = run.pods.get(name);
    run.pods.set(name, { pod, gone: deleted, seen: known?.seen ?? this.#podsSeen++ });
    if (!this.#ready) return;
    // The copy starts before the refresh: a pod seen first when it has already terminated ends the run right away,
    // and the end waits for the copies under way.
    if (!run.end && !run.ending) {
      this.#requestEvents('Pod', name);
      if (deleted) run.copies.get(name)?.nudge();
      else this.#ensureLogCopy(run, name);
    }
    this.#refresh(run);
  }

  #runOf(pod: PodObject): TrackedRun | undefined {
    const index = pod.metadata?.labels?.[COMPLETION_INDEX_LABEL] ?? pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? '0';
    return /^\d+$/.test(index) ? this.#runs[Number(index)] : undefined;
  }

  /** Recomputes a run's phase and diagnosis from what is known now; saves, announces and ends as they change. */
  #refresh(run: TrackedRun): void {
    if (!this.#ready || this.#stopped || run.end || run.ending) {
      this.#emitViews();
      return;
    }
    const objects = this.#objectsOf(run);
    // A phase that ended stays ended: after a reload the Job or the pod that told it may be gone.
    const phase = isEndPhase(run.state.phase) ? run.state.phase : runPhase(objects);
    const { diagnosis, missingTail } = this.#diagnose(run, objects);
    this.#update(run, phase, diagnosis);
    if (missingTail) this.#fetchLogTail(run, missingTail.pod, missingTail.previous).then(() => this.#refresh(run));
    if (isEndPhase(phase)) this.#endRun(run, phase);
  }

  /**
   * The diagnosis from what is known now. Error and CrashLoopBackOff are told with the log lines that explain them:
   * until those are fetched, the diagnosis before stands.
   */
  #diagnose(run: TrackedRun, objects: RunObjects): { diagnosis: Diagnosis | undefined; missingTail?: { pod: PodObject; previous: boolean } } {
    const diagnosis = diagnoseRun(objects);
    const tail = logTailSource(diagnosis);
    if (tail && objects.pod && run.logTail?.key !== logTailKey(objects.pod, tail.previous)) {
      return { diagnosis: run.state.diagnosis, missingTail: { pod: objects.pod, previous: tail.previous } };
    }
    return { diagnosis };
  }

  /** The diagnosis a run ends with, from the pod's last status, its events and its log tail. */
  async #settleDiagnosis(run: TrackedRun): Promise<void> {
    let { diagnosis, missingTail } = this.#diagnose(run, this.#objectsOf(run));
    if (missingTail) {
      await this.#fetchLogTail(run, missingTail.pod, missingTail.previous);
      ({ diagnosis } = this.#diagnose(run, this.#objectsOf(run)));
    }
    this.#update(run, run.state.phase, diagnosis);
  }

  #update(run: TrackedRun, phase: KubernetesPhase, diagnosis: Diagnosis | undefined): void {
    if (phase !== run.state.phase || JSON.stringify(diagnosis) !== JSON.stringify(run.state.diagnosis)) {
      const { diagnosis: _previous, ...rest } = run.state;
      run.state = { ...rest, phase, ...(diagnosis ? { diagnosis } : {}) };
      this.#persist(run);
    }
    this.#emitViews();
    if (diagnosis && !run.announced.has(diagnosisKey(diagnosis))) {
      run.announced.add(diagnosisKey(diagnosis));
      this.#notify(() => this.#options.onDiagnosis?.(this.#view(run)));
    }
  }

  #objectsOf(run: TrackedRun): RunObjects {
    const newest = newestPod(run);
    const podName = newest?.pod.metadata?.name;
    const tail = run.logTail && newest && run.logTail.key.startsWith(`${podName}/`) ? run.logTail.lines : undefined;
    return {
      index: run.index,
      ...(this.#job ? { job: this.#job } : {}),
      jobGone: this.#jobGone,
      ...(newest ? { pod: newest.pod, podGone: newest.gone } : {}),
      events: (podName && run.events.get(podName)) || [],
      ...(tail ? { logTail: tail } : {}),
    };
  }

  /** Reads the last lines of the pod's log for the diagnosis; a fetch of the same tail under way is shared. */
  #fetchLogTail(run: TrackedRun, pod: PodObject, previous: boolean): Promise<void> {
    const key = logTailKey(pod, previous);
    if (run.logTailFetch?.key === key) return run.logTailFetch.done;
    const name = pod.metadata?.name ?? '';
    const container = mainContainerStatus(pod)?.name ?? pod.spec?.containers?.[0]?.name;
    const { namespace } = this.#placement;
    const done = (async () => {
      let lines: string[] = [];
      try {
        const text = await this.#core!.readNamespacedPodLog({ name, namespace, ...(container ? { container } : {}), previous, tailLines: LOG_TAIL_LINES });
        lines = String(text).split('\n');
        if (lines.at(-1) === '') lines.pop();
      } catch (error) {
        // Without the tail the diagnosis still says what happened.
        this.#reportError(error);
      }
      run.logTail = { key, lines };
    })();
    run.logTailFetch = { key, done };
    return done;
  }

  #ensureLogCopy(run: TrackedRun, podName: string): void {
    if (this.#options.followLogs === false || this.#stopped || run.copies.has(podName)) {
      run.copies.get(podName)?.nudge();
      return;
    }
    const known = run.pods.get(podName);
    const saved = run.state.pods[podName];
    if (!known || known.gone || saved?.complete || !hasRun(known.pod)) return;
    const container = mainContainerStatus(known.pod)?.name ?? known.pod.spec?.containers?.[0]?.name;
    if (!container) return;
    const copy = copyPodLog({
      kubeConfig: this.#options.connection.kubeConfig,
      namespace: this.#placement.namespace,
      pod: podName,
      container,
      cursor: saved ?? { linesAtLastTimestamp: 0, complete: false },
      onLines: (text, cursor) => this.#appendLog(run, podName, text, cursor),
      containerTerminated: () => {
        const current = run.pods.get(podName);
        return current !== undefined && mainContainerStatus(current.pod)?.state?.terminated !== undefined;
      },
      podExists: () => run.pods.get(podName)?.gone === false,
      onError: (error) => this.#reportError(error),
    });
    run.copies.set(podName, copy);
    copy.done.then((cursor) => {
      run.copies.delete(podName);
      if (cursor.complete && !this.#stopped) {
        run.state.pods[podName] = cursor;
        this.#persist(run);
      }
    });
  }

  #appendLog(run: TrackedRun, podName: string, text: string, cursor: PodLogCursor): void {
    if (this.#stopped) return;
    const firstOfPod = run.state.pods[podName]?.lastTimestamp === undefined;
    const afterOtherPod = Object.entries(run.state.pods).some(([other, saved]) => other !== podName && saved.lastTimestamp !== undefined);
    const written = firstOfPod && afterOtherPod ? `----- pod ${podName} -----\n${text}` : text;
    // A failed append throws to the copier, which stops rather than skip lines it could not keep.
    fs.appendFileSync(path.join(run.dir, LOGS_FILE), written);
    run.state.pods[podName] = cursor;
    this.#persist(run);
    this.#applyLog(run, false);
    this.#notify(() => this.#options.onLog?.(run.runId, written));
  }

  #applyLog(run: TrackedRun, final: boolean): void {
    try {
      applyNewLogLines({ storeDir: this.#options.storeDir, dir: run.dir, final });
    } catch (error) {
      reportJobProblem(run.dir, `cannot apply ${LOGS_FILE}: ${(error as Error).message}`);
    }
  }

  #requestEvents(kind: 'Pod' | 'Job', name: string): Promise<void> {
    if (!this.#core || this.#stopped) return Promise.resolve();
    const core = this.#core;
    const { namespace } = this.#placement;
    return this.#requests
      .request(`${kind}/${name}`, async () => {
        if (this.#stopped) return;
        const fieldSelector = `involvedObject.name=${name},involvedObject.kind=${kind}`;
        const events = plainObjects<EventObject>((await core.listNamespacedEvent({ namespace, fieldSelector })).items);
        if (kind === 'Job') {
          for (const run of this.#jobEventTargets(events)) this.#copyEvents(run.target, run.events, kind, name);
          return;
        }
        const run = this.#runs.find((candidate) => candidate.pods.has(name));
        if (!run) return;
        run.events.set(name, events);
        this.#copyEvents(run, events, kind, name);
        this.#refresh(run);
      })
      .catch((error: unknown) => this.#reportError(error));
  }

  /** A Job event that names pods of an Indexed Job goes to those pods' runs; any other to every run of the launch. */
  #jobEventTargets(events: EventObject[]): Array<{ target: TrackedRun; events: EventObject[] }> {
    // A run that has ended keeps the events of its own time.
    const open = this.#runs.filter((run) => !run.end);
    const byRun = new Map<TrackedRun, EventObject[]>(open.map((run) => [run, []]));
    const podName = new RegExp(`\\b${escapeRegExp(this.#placement.jobName)}-(\\d+)-[a-z0-9]{5}\\b`, 'g');
    for (const event of events) {
      const named = this.#runs.length > 1 ? [...(event.message ?? '').matchAll(podName)].map((match) => this.#runs[Number(match[1])]) : [];
      const targets = named.filter((run): run is TrackedRun => run !== undefined);
      for (const run of targets.length > 0 ? targets : open) byRun.get(run)?.push(event);
    }
    return [...byRun].map(([target, routed]) => ({ target, events: routed }));
  }

  #copyEvents(run: TrackedRun, events: EventObject[], kind: string, name: string): void {
    const copied = new Set(run.state.copiedEvents);
    const fresh = events
      .filter((event) => event.metadata?.uid && !copied.has(event.metadata.uid))
      .sort((a, b) => (eventTime(a) ?? 0) - (eventTime(b) ?? 0));
    if (fresh.length === 0 || this.#stopped) return;
    appendLines(
      path.join(run.dir, EVENTS_FILE),
      fresh.map((event) =>
        JSON.stringify({
          time: eventTime(event) ?? Date.now(),
          type: event.type,
          reason: event.reason,
          message: event.message,
          object: `${event.involvedObject?.kind ?? kind}/${event.involvedObject?.name ?? name}`,
          count: event.count ?? 1,
        }),
      ),
    );
    run.state = { ...run.state, copiedEvents: [...run.state.copiedEvents, ...fresh.map((event) => event.metadata!.uid!)] };
    this.#persist(run);
  }

  #endRun(run: TrackedRun, phase: KubernetesPhase): void {
    if (run.ending || run.end) return;
    run.ending = this.#recordEnd(run, phase)
      .catch((error: unknown) => {
        this.#reportError(error);
        try {
          reportJobProblem(run.dir, `cannot record the end of the run: ${describeKubernetesError(error, this.#options.connection)}`);
        } catch {
          // The run directory is gone: onError said it.
        }
      })
      .finally(() => {
        run.ending = undefined;
        this.#emitViews();
        this.#checkAllEnded();
      });
  }

  async #recordEnd(run: TrackedRun, phase: KubernetesPhase): Promise<void> {
    await this.#refreshLaggingPod(run);
    if (this.#stopped) return;
    // Every pod that ran and whose log is not all copied gets a last read, a copy under way or not.
    for (const name of run.pods.keys()) this.#ensureLogCopy(run, name);
    const copies = [...run.copies.values()];
    for (const copy of copies) copy.finish();
    const settled = Promise.all(copies.map((copy) => copy.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, FINAL_LOG_WAIT_MS)))]);
    clearTimeout(timer);
    for (const copy of copies) copy.stop();
    if (this.#stopped) return;
    const newest = newestPod(run);
    await Promise.all([this.#requestEvents('Job', this.#placement.jobName), ...[...run.pods.keys()].map((name) => this.#requestEvents('Pod', name))]);
    await this.#settleDiagnosis(run);
    if (this.#stopped) return;
    this.#applyLog(run, true);
    const exitCode = newest ? mainContainerStatus(newest.pod)?.state?.terminated?.exitCode : undefined;
    const observed: RecordedEnd = { status: endStatusOf(phase), ...(exitCode === undefined ? {} : { exitCode }) };
    let recorded: RecordedEnd | undefined;
    try {
      // A cancel (here or in another process) may have recorded the end first: that record is the run's end.
      recorded = (await endRunOnce(this.#options.storeDir, run.runId, observed)) ? observed : readEndRecord(run.dir);
      await registerPendingModels(this.#options.folder, this.#options.storeDir, run.dir, run.runId, (recorded ?? observed).status);
    } finally {
      // The run has ended whatever failed on the way (the lock, the models): `finished` must not wait forever.
      const end = recorded ?? readEndRecord(run.dir) ?? observed;
      run.end = end;
      run.endedAt = Date.now();
      run.state = { ...run.state, phase: phaseOfEnd(end.status) };
      this.#persist(run);
    }
  }

  /** The Job can report the end before the pod watch brings the pod's last status: its exit code, and that it ran. */
  async #refreshLaggingPod(run: TrackedRun): Promise<void> {
    const newest = newestPod(run);
    const name = newest?.pod.metadata?.name;
    if (!newest || newest.gone || !name || mainContainerStatus(newest.pod)?.state?.terminated) return;
    try {
      const pod = plainObjects<PodObject>([await this.#core!.readNamespacedPod({ name, namespace: this.#placement.namespace })])[0]!;
      const current = run.pods.get(name);
      if (current && !current.gone) run.pods.set(name, { ...current, pod });
    } catch {
      // Gone meanwhile: the run ends without an exit code.
    }
  }

  #checkAllEnded(): boolean {
    if (this.#runs.some((run) => !run.end)) return false;
    this.stop();
    this.#resolveFinished(this.#runs.map((run) => ({ runId: run.runId, ...run.end! })));
    return true;
  }

  #view(run: TrackedRun): KubernetesRunView {
    const newest = newestPod(run);
    const container = newest && mainContainerStatus(newest.pod);
    const terminated = container?.state?.terminated;
    const startedAt = epochMs(container?.state?.running?.startedAt ?? terminated?.startedAt);
    const endedAt = epochMs(terminated?.finishedAt) ?? run.endedAt;
    const exitCode = run.end?.exitCode ?? terminated?.exitCode;
    const view: KubernetesRunView = { runId: run.runId, placement: this.#placement, index: run.index, phase: run.state.phase, gpus: gpusOf(this.#job, newest?.pod) };
    if (run.state.diagnosis) view.diagnosis = run.state.diagnosis;
    if (newest?.pod.metadata?.name) view.podName = newest.pod.metadata.name;
    if (startedAt !== undefined) view.startedAt = startedAt;
    if (endedAt !== undefined && (run.end || terminated)) view.endedAt = endedAt;
    if (exitCode !== undefined) view.exitCode = exitCode;
    return view;
  }

  /** Changes made in one go (a Job change touches every run) reach onChange together, at the end of this tick. */
  #emitViews(): void {
    if (!this.#options.onChange || this.#emitQueued) return;
    this.#emitQueued = true;
    queueMicrotask(() => {
      this.#emitQueued = false;
      this.#emitNow();
    });
  }

  #emitNow(): void {
    const views = this.views();
    const serialized = JSON.stringify(views);
    if (serialized === this.#lastViews) return;
    this.#lastViews = serialized;
    this.#notify(() => this.#options.onChange?.(views));
  }

  /** Calls a caller's callback: one that throws must not stop the tracking. */
  #notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#reportError(error);
    }
  }

  #persist(run: TrackedRun): void {
    try {
      writeKubernetesRunState(run.dir, run.state);
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** A failure as one readable line (the client's own error as its cause). */
  #reportError(error: unknown): void {
    if (this.#stopped) return;
    this.#options.onError?.(readableKubernetesError(error, this.#options.connection));
  }
}

function listed<T>(list: { items: object[]; metadata?: { resourceVersion?: string } }): { items: T[]; resourceVersion: string | undefined } {
  return { items: plainObjects<T>(list.items), resourceVersion: list.metadata?.resourceVersion };
}

/** The pod that stands for the run now: the latest created; a replacement outranks the pod it replaced. */
function newestPod(run: TrackedRun): KnownPod | undefined {
  let newest: KnownPod | undefined;
  for (const known of run.pods.values()) {
    if (!newest || compareAge(known, newest) > 0) newest = known;
  }
  return newest;
}

function compareAge(a: KnownPod, b: KnownPod): number {
  const created = (epochMs(a.pod.metadata?.creationTimestamp) ?? 0) - (epochMs(b.pod.metadata?.creationTimestamp) ?? 0);
  if (created !== 0) return created;
  const active = Number(!isTerminal(a.pod)) - Number(!isTerminal(b.pod));
  return active !== 0 ? active : a.seen - b.seen;
}

function isTerminal(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** The pod's main container has run: its log can be read. */
function hasRun(pod: PodObject): boolean {
  const container = mainContainerStatus(pod);
  return Boolean(container?.state?.running || container?.state?.terminated || container?.lastState?.terminated);
}

function logTailKey(pod: PodObject, previous: boolean): string {
  const container = mainContainerStatus(pod);
  return `${pod.metadata?.name}/${container?.restartCount ?? 0}/${previous ? 'previous' : 'current'}/${pod.status?.phase}`;
}

function diagnosisKey(diagnosis: Diagnosis): string {
  return `${diagnosis.reason}\n${diagnosis.message}`;
}

function gpusOf(job: JobObject | undefined, pod: PodObject | undefined): number {
  const containers = job?.spec?.template?.spec?.containers ?? pod?.spec?.containers ?? [];
  return containers.reduce((sum, container) => sum + (Number(container.resources?.limits?.[GPU_RESOURCE] ?? 0) || 0), 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
