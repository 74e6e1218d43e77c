import { formatDuration } from '../../platform/time.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import type { Diagnosis, JobBackend, KubernetesPhase, KubernetesPlacement, KubernetesRunState, KubernetesRunView } from '../kubernetes/kubernetesRun.ts';
import type { JobStart } from './jobStart.ts';

/** A job run as the Jobs view shows it: the store's status refined by where the run stands on its cluster. */
export type JobRowState = 'queued' | 'starting' | 'running' | 'finished' | 'failed' | 'killed' | 'lost';
export type JobGroup = 'running' | 'queued' | 'finished';

export interface JobRow {
  runId: string;
  name: string;
  /** The job's name in mltrail.json (the run's `job` tag); for an ad-hoc script run, the script's file stem. */
  job: string;
  /** Ad-hoc runs of a script no job declares (`mltrail run --script`): the script, relative to the folder. */
  script?: string;
  state: JobRowState;
  backend: JobBackend;
  /** Kubernetes runs: the context they were submitted to. */
  context?: string;
  /** Kubernetes runs, once tracked or saved in job-state.json: where their Job is, to cancel it. */
  placement?: KubernetesPlacement;
  gpus: number;
  /** When the run was recorded (launched). */
  submittedAt?: number;
  /** When its process or container started running, when known apart from the launch. */
  startedAt?: number;
  endedAt?: number;
  exitCode?: number;
  diagnosis?: Diagnosis;
}

/** Everything known about one job run; only the tracker may know a run the store has not indexed yet. */
export interface JobRunFacts {
  runId: string;
  job: string;
  script?: string;
  /** The name to show while the store has no summary (the launch's plan name). */
  name?: string;
  run?: RunSummary;
  start?: JobStart;
  /** The `kubernetes` section of job-state.json. */
  kubernetes?: KubernetesRunState;
  /** The live view of this window's tracker. */
  view?: KubernetesRunView;
  /** The GPUs the job asks for (`resources.gpus`), when neither the tracker nor the start record says. */
  requestedGpus?: number;
}

const PHASE_STATES: Record<KubernetesPhase, JobRowState> = { queued: 'queued', starting: 'starting', running: 'running', succeeded: 'finished', failed: 'failed', killed: 'killed' };

const ENDED: ReadonlySet<JobRowState> = new Set(['finished', 'failed', 'killed', 'lost']);

export function isEnded(state: JobRowState): boolean {
  return ENDED.has(state);
}

export function groupOf(state: JobRowState): JobGroup {
  if (state === 'queued') return 'queued';
  return isEnded(state) ? 'finished' : 'running';
}

/** The end record decides; before it, the tracker's phase (live, else as last saved) refines "running". */
export function jobRow(facts: JobRunFacts): JobRow {
  const { run, start, view, kubernetes } = facts;
  const phase = view?.phase ?? kubernetes?.phase;
  const state: JobRowState = run && run.status !== 'running' ? run.status : phase ? PHASE_STATES[phase] : 'running';
  const placement = view?.placement ?? kubernetes?.placement;
  const row: JobRow = {
    runId: facts.runId,
    name: run?.name ?? facts.name ?? facts.runId,
    job: facts.job,
    state,
    backend: placement || start?.backend === 'kubernetes' ? 'kubernetes' : 'local',
    gpus: view?.gpus ?? start?.gpus ?? facts.requestedGpus ?? 0,
  };
  if (facts.script !== undefined) row.script = facts.script;
  const context = placement?.context ?? start?.context;
  if (context !== undefined) row.context = context;
  if (placement) row.placement = placement;
  if (run?.startTime !== undefined) row.submittedAt = run.startTime;
  const startedAt = view?.startedAt ?? (row.backend === 'local' ? run?.startTime : undefined);
  if (startedAt !== undefined) row.startedAt = startedAt;
  const endedAt = run?.endTime ?? view?.endedAt;
  if (endedAt !== undefined && isEnded(state)) row.endedAt = endedAt;
  const exitCode = run?.exitCode ?? view?.exitCode;
  if (exitCode !== undefined) row.exitCode = exitCode;
  const diagnosis = view?.diagnosis ?? kubernetes?.diagnosis;
  if (diagnosis) row.diagnosis = diagnosis;
  return row;
}

export interface GroupedJobRows<T extends JobRow> {
  running: T[];
  queued: T[];
  /** The most recently ended, newest first. */
  finished: T[];
}

/** The Finished group shows this many runs, the most recently ended. */
const FINISHED_ROWS = 50;

export function groupJobRows<T extends JobRow>(rows: readonly T[], finishedLimit = FINISHED_ROWS): GroupedJobRows<T> {
  const newestFirst = (time: (row: JobRow) => number | undefined) => (a: JobRow, b: JobRow) => (time(b) ?? 0) - (time(a) ?? 0) || b.runId.localeCompare(a.runId);
  const byGroup = (group: JobGroup) => rows.filter((row) => groupOf(row.state) === group);
  return {
    running: byGroup('running').sort(newestFirst((row) => row.startedAt ?? row.submittedAt)),
    queued: byGroup('queued').sort(newestFirst((row) => row.submittedAt)),
    finished: byGroup('finished')
      .sort(newestFirst((row) => row.endedAt ?? row.submittedAt))
      .slice(0, finishedLimit),
  };
}

/** Which rows must be drawn again: `regroup` when rows came, went or moved (the groups are drawn again), else `changed`. */
export interface JobRowsDiff {
  regroup: boolean;
  /** Keys of the rows whose look changed (the duration aside: it changes every second while a run goes). */
  changed: string[];
}

export function diffJobRows(before: ReadonlyMap<string, JobRow>, after: ReadonlyMap<string, JobRow>): JobRowsDiff {
  const order = (rows: ReadonlyMap<string, JobRow>) => {
    const keyOf = new Map([...rows].map(([key, row]) => [row, key]));
    const grouped = groupJobRows([...rows.values()]);
    return JSON.stringify([grouped.running, grouped.queued, grouped.finished].map((group) => group.map((row) => keyOf.get(row))));
  };
  if (before.size !== after.size || [...after.keys()].some((key) => !before.has(key)) || order(before) !== order(after)) return { regroup: true, changed: [] };
  const changed = [...after].filter(([key, row]) => jobRowLook(row) !== jobRowLook(before.get(key) as JobRow)).map(([key]) => key);
  return { regroup: false, changed };
}

/** Everything a row shows but its duration. */
function jobRowLook(row: JobRow): string {
  const { diagnosis } = row;
  return JSON.stringify([row.name, row.state, row.backend, row.context, row.gpus, row.submittedAt, row.startedAt, row.endedAt, row.exitCode, row.placement?.jobName, diagnosis?.reason, diagnosis?.message, diagnosis?.detail, diagnosis?.hint]);
}

/** Milliseconds queued (since the launch), running (since the start) or in all (start to end); undefined when unknown. */
export function jobRowDuration(row: JobRow, now: number): number | undefined {
  const from = row.state === 'queued' ? row.submittedAt : (row.startedAt ?? row.submittedAt);
  const to = isEnded(row.state) ? row.endedAt : now;
  if (from === undefined || to === undefined) return undefined;
  return Math.max(0, to - from);
}

const STATE_LABELS: Record<JobRowState, string> = { queued: 'queued', starting: 'starting', running: 'running', finished: 'finished', failed: 'failed', killed: 'killed', lost: 'lost' };

export function stateLabel(row: JobRow): string {
  const label = STATE_LABELS[row.state];
  return row.state === 'failed' && row.exitCode !== undefined ? `${label} (exit ${row.exitCode})` : label;
}

function backendLabel(row: JobRow): string {
  return row.backend === 'kubernetes' ? `k8s ${row.context ?? '?'}` : 'local';
}

export function gpuLabel(gpus: number): string {
  return gpus > 0 ? `${gpus}× GPU` : '';
}

/** "running · k8s gpu-cluster · 2× GPU · 3m 05s" */
export function describeJobRow(row: JobRow, now: number): string {
  const duration = jobRowDuration(row, now);
  return [stateLabel(row), backendLabel(row), gpuLabel(row.gpus), duration === undefined ? '' : formatDuration(duration), row.diagnosis ? row.diagnosis.reason : ''].filter(Boolean).join(' · ');
}
