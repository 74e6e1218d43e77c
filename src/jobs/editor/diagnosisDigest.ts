import type { Diagnosis, DiagnosisReason, KubernetesRunView } from '../kubernetes/kubernetesRun.ts';

/** Reasons a run waits out on a busy cluster: told only once they last, so a Job admitted in a second never nags. */
export const WAITING_REASONS: ReadonlySet<DiagnosisReason> = new Set(['Unschedulable', 'KueueSuspended']);

/** How long a waiting reason must last before it is told. */
export const WAIT_NOTICE_MS = 15_000;
/** How long the runs of a launch that get the same reason are gathered into one notice. */
export const GATHER_MS = 1_000;

/** One reason for a launch's runs (a sweep's points share one launch), told once. */
export interface DiagnosisNotice {
  launchId: string;
  /** The diagnosis of the first run that got it. */
  diagnosis: Diagnosis;
  /** The runs with the reason when it was told, first seen first. */
  runIds: string[];
  /** Whether one of them is still going (queued, starting or running). */
  going: boolean;
}

export interface DiagnosisDigestOptions {
  show(notice: DiagnosisNotice): void;
  /** The run's live view now: a waiting reason is told only for the runs that still have it. */
  current(runId: string): KubernetesRunView | undefined;
  waitMs?: number;
  gatherMs?: number;
}

interface Pending {
  views: Map<string, KubernetesRunView>;
  timer: NodeJS.Timeout;
}

/**
 * Turns the diagnoses of runs into notices: one per launch and reason, however many runs share it (a 100-point
 * sweep on a full cluster gives one), after a moment to gather them; the waiting reasons only when they last.
 */
export class DiagnosisDigest {
  private readonly options: DiagnosisDigestOptions;
  private readonly told = new Set<string>();
  private readonly pending = new Map<string, Pending>();

  constructor(options: DiagnosisDigestOptions) {
    this.options = options;
  }

  /** A reason the user saw before this window started (saved in job-state.json): not told again. */
  markSeen(launchId: string, reason: DiagnosisReason): void {
    this.told.add(noticeKey(launchId, reason));
  }

  add(view: KubernetesRunView): void {
    const { diagnosis } = view;
    if (!diagnosis) return;
    const key = noticeKey(view.placement.launchId, diagnosis.reason);
    if (this.told.has(key)) return;
    let pending = this.pending.get(key);
    if (!pending) {
      const delay = WAITING_REASONS.has(diagnosis.reason) ? (this.options.waitMs ?? WAIT_NOTICE_MS) : (this.options.gatherMs ?? GATHER_MS);
      pending = { views: new Map(), timer: setTimeout(() => this.flush(key, view.placement.launchId, diagnosis.reason), delay) };
      this.pending.set(key, pending);
    }
    if (!pending.views.has(view.runId)) pending.views.set(view.runId, view);
  }

  dispose(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private flush(key: string, launchId: string, reason: DiagnosisReason): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    const now = (view: KubernetesRunView) => this.options.current(view.runId) ?? view;
    let views = [...pending.views.values()];
    // A waiting reason that passed (admitted, scheduled) is not told; should it come back, it is gathered anew.
    if (WAITING_REASONS.has(reason)) views = views.filter((view) => this.options.current(view.runId)?.diagnosis?.reason === reason);
    const [first] = views;
    if (!first?.diagnosis) return;
    this.told.add(key);
    this.options.show({ launchId, diagnosis: first.diagnosis, runIds: views.map((view) => view.runId), going: views.some((view) => isGoing(now(view))) });
  }
}

function isGoing(view: KubernetesRunView): boolean {
  return view.phase === 'queued' || view.phase === 'starting' || view.phase === 'running';
}

function noticeKey(launchId: string, reason: DiagnosisReason): string {
  return `${launchId}\u0000${reason}`;
}

/** "train lr=0.1: OOMKilled: …", or "37 runs of sweep train: Unschedulable: …" for several runs. */
export function noticeMessage(notice: DiagnosisNotice, names: { run(runId: string): string; job(runId: string): string }): string {
  const [first = ''] = notice.runIds;
  const who = notice.runIds.length === 1 ? names.run(first) : `${notice.runIds.length} runs of sweep ${names.job(first)}`;
  const { reason, message, hint } = notice.diagnosis;
  return `MLTrail: ${who}: ${reason}: ${message}${hint ? ` ${hint}` : ''}`;
}
