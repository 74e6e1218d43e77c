import * as vscode from 'vscode';
import type { DiagnosisReason, KubernetesRunView } from '../kubernetes/kubernetesRun.ts';
import { DiagnosisDigest, WAITING_REASONS, noticeMessage } from './diagnosisDigest.ts';

/** Reasons a run can wait out or be fixed around while it is still going; the others ended it or keep failing it. */
const WARNINGS: ReadonlySet<DiagnosisReason> = new Set([...WAITING_REASONS, 'ImagePullBackOff', 'ErrImagePull']);

export interface DiagnosisActions {
  nameOf(runId: string): string;
  /** The job (mltrail.json's name) the run is a point of. */
  jobOf(runId: string): string;
  /** The tracker's live view of the run. */
  viewOf(runId: string): KubernetesRunView | undefined;
  showLogs(runId: string): void;
  showEvents(runId: string): void;
  cancel(runId: string): void;
}

/** A notification for each new diagnosis of a launch (see DiagnosisDigest), with what to do about it. */
export class DiagnosisNotifications implements vscode.Disposable {
  private readonly digest: DiagnosisDigest;

  constructor(actions: DiagnosisActions) {
    this.digest = new DiagnosisDigest({
      current: (runId) => actions.viewOf(runId),
      show: (notice) => {
        const [runId] = notice.runIds as [string];
        const message = noticeMessage(notice, { run: actions.nameOf, job: actions.jobOf });
        const choices = notice.going ? ['Show Logs', 'Show Events', 'Cancel Job'] : ['Show Logs', 'Show Events'];
        const shown = WARNINGS.has(notice.diagnosis.reason) ? vscode.window.showWarningMessage(message, ...choices) : vscode.window.showErrorMessage(message, ...choices);
        void shown.then((choice) => {
          if (choice === 'Show Logs') actions.showLogs(runId);
          if (choice === 'Show Events') actions.showEvents(runId);
          if (choice === 'Cancel Job') actions.cancel(runId);
        });
      },
    });
  }

  /** A reason the user saw before this window started (saved in job-state.json): not notified again. */
  markSeen(launchId: string, reason: DiagnosisReason): void {
    this.digest.markSeen(launchId, reason);
  }

  notify(view: KubernetesRunView): void {
    this.digest.add(view);
  }

  dispose(): void {
    this.digest.dispose();
  }
}
