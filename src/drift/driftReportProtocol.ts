// The message contract of the drift report webview, imported by both sides (webviews/drift/). No Node or DOM APIs.
import type { ColumnDetail } from './columnDetail.ts';
import type { ColumnResult, DriftReport, SkippedColumn } from './reportModel.ts';

export type ReportHeader = Pick<DriftReport, 'id' | 'time' | 'reference' | 'current' | 'options'>;

export interface ReportVerdict {
  datasetDrift: boolean;
  drifted: number;
  share: number;
  driftShare: number;
}

export type ToDriftReport =
  /** The whole report as known so far: a saved one, or a running check's header and planned columns. */
  | { type: 'init'; header: ReportHeader; running: boolean; planned: string[]; columns: ColumnResult[]; skipped: SkippedColumn[]; details: Record<string, ColumnDetail>; verdict?: ReportVerdict; overTime?: DriftReport['overTime']; savedTo?: string }
  | { type: 'progress'; message: string }
  /** A running check's tables were read: the columns it will compare. */
  | { type: 'planned'; header: ReportHeader; planned: string[] }
  /** One column finished (a delta: only that column). */
  | { type: 'column'; result?: ColumnResult; skipped?: SkippedColumn; detail?: ColumnDetail }
  /** The check finished: corrected p-values and verdicts of every column, the dataset's verdict, the chunks. */
  | { type: 'done'; columns: ColumnResult[]; skipped: SkippedColumn[]; verdict: ReportVerdict; overTime?: DriftReport['overTime']; savedTo?: string }
  | { type: 'failed'; message: string; cancelled: boolean };

export type ReportSnapshot = Extract<ToDriftReport, { type: 'init' }>;

/** Folds a delta into the report as known so far; both the host (for reloads) and the webview keep one this way. */
export function applyToSnapshot(snapshot: ReportSnapshot, message: ToDriftReport): void {
  switch (message.type) {
    case 'planned':
      snapshot.header = message.header;
      snapshot.planned = message.planned;
      return;
    case 'column':
      if (message.result) snapshot.columns.push(message.result);
      if (message.skipped) snapshot.skipped.push(message.skipped);
      if (message.result && message.detail) snapshot.details[message.result.name] = message.detail;
      return;
    case 'done':
      Object.assign(snapshot, { running: false, columns: message.columns, skipped: message.skipped, verdict: message.verdict });
      if (message.overTime) snapshot.overTime = message.overTime;
      if (message.savedTo) snapshot.savedTo = message.savedTo;
      return;
    case 'failed':
      snapshot.running = false;
      return;
    default:
      return;
  }
}

export type FromDriftReport = { type: 'ready' } | { type: 'openFile'; side: 'reference' | 'current' } | { type: 'openReportJson' } | { type: 'cancel' };

const SIDES = new Set(['reference', 'current']);

export function isFromDriftReport(value: unknown): value is FromDriftReport {
  if (value === null || typeof value !== 'object') return false;
  const message = value as { type?: unknown; side?: unknown };
  switch (message.type) {
    case 'ready':
    case 'openReportJson':
    case 'cancel':
      return true;
    case 'openFile':
      return typeof message.side === 'string' && SIDES.has(message.side);
    default:
      return false;
  }
}

/** The panel's state kept by VS Code across reloads: which saved report it shows. */
export interface DriftReportState {
  reportFile?: string;
}
