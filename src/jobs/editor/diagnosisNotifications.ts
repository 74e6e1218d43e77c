import * as vscode from 'vscode';
import type { Diagnosis, DiagnosisReason, KubernetesRunView } from '../kubernetes/kubernetesRun.ts';

/** Reasons a run can wait out or be fixed around while it is still going; the others ended it or keep failing it. */
const WARNINGS: ReadonlySet<DiagnosisReason> = new Set(['Unschedulable', 'ImagePullBackOff', 'ErrImagePull', 'KueueSuspended']);

export interface DiagnosisActions {
  nameOf(runId: string): string;
  showLogs(runId: string): void;
  showEvents(runId: string): void;
  cancel(runId: string): void;
}

/** A notification for each new diagnosis of a run (once per run and reason), with what to do about it. */
export class DiagnosisNotifications {
  private readonly notified = new Set<string>();
  private readonly actions: DiagnosisActions;

  constructor(actions: DiagnosisActions) {
    this.actions = actions;
  }

  /** A diagnosis the user saw before this window started (saved in job-state.json): not notified again. */
  markSeen(runId: string, diagnosis: Diagnosis): void {
    this.notified.add(key(runId, diagnosis));
  }

  notify(view: KubernetesRunView): void {
    const { diagnosis } = view;
    if (!diagnosis || this.notified.has(key(view.runId, diagnosis))) return;
    this.notified.add(key(view.runId, diagnosis));
    const going = view.phase === 'queued' || view.phase === 'starting' || view.phase === 'running';
    const message = `MLTrail: ${this.actions.nameOf(view.runId)}: ${diagnosis.reason}: ${diagnosis.message}${diagnosis.hint ? ` ${diagnosis.hint}` : ''}`;
    const choices = going ? ['Show Logs', 'Show Events', 'Cancel Job'] : ['Show Logs', 'Show Events'];
    const shown = WARNINGS.has(diagnosis.reason) ? vscode.window.showWarningMessage(message, ...choices) : vscode.window.showErrorMessage(message, ...choices);
    void shown.then((choice) => {
      if (choice === 'Show Logs') this.actions.showLogs(view.runId);
      if (choice === 'Show Events') this.actions.showEvents(view.runId);
      if (choice === 'Cancel Job') this.actions.cancel(view.runId);
    });
  }
}

function key(runId: string, diagnosis: Diagnosis): string {
  return `${runId}\u0000${diagnosis.reason}`;
}
