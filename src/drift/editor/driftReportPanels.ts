import path from 'node:path';
import * as vscode from 'vscode';
import { renderWebviewHtml, webviewOptions } from '../../platform/editor/webviewHtml.ts';
import { log } from '../../platform/editor/log.ts';
import type { DriftOptions } from '../datasetDrift.ts';
import type { DriftJobInput } from '../driftJob.ts';
import { type DriftReport, type ReportTable, buildReport, readReport, saveReport } from '../driftReport.ts';
import { type DriftReportState, type FromDriftReport, type ReportHeader, type ReportSnapshot, type ToDriftReport, applyToSnapshot, isFromDriftReport } from '../driftReportProtocol.ts';
import type { ChunkWindow } from '../overTime.ts';
import { toJsonSafe } from '../reportNumbers.ts';

export const DRIFT_REPORT_VIEW_TYPE = 'mltrail.driftReport';

/** A drift check to run: two files (each maybe a dataset version), where to save the report, and how to compare. */
export interface DriftCheckRequest {
  storeDir: string;
  reference: { file: string; dataset?: ReportTable['dataset'] };
  current: { file: string; dataset?: ReportTable['dataset'] };
  options?: DriftOptions;
  overTime?: { window: ChunkWindow; windowText: string; timeColumn?: string; baseline?: 'threshold' | 'chunks' };
}

function label(table: { file: string; dataset?: ReportTable['dataset'] }): string {
  return table.dataset ? `${table.dataset.name}@v${table.dataset.version}` : path.basename(table.file);
}

/** One report's tab: it keeps the report as known so far, sends deltas while a check runs, and the whole on (re)load. */
class ReportPanel {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  disposed = false;
  snapshot: ReportSnapshot;
  private readonly cancel?: () => void;
  private readonly openFile: (file: string) => void;

  constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, snapshot: ReportSnapshot, openFile: (file: string) => void, cancel?: () => void) {
    this.panel = panel;
    this.snapshot = snapshot;
    this.openFile = openFile;
    if (cancel) this.cancel = cancel;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, { title: panel.title, bundle: 'driftReport' });
    panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message));
    panel.onDidDispose(() => {
      this.ready = false;
      this.disposed = true;
    });
  }

  post(message: ToDriftReport): void {
    applyToSnapshot(this.snapshot, message);
    if (this.ready) void this.panel.webview.postMessage(toJsonSafe(message));
  }

  private onMessage(message: unknown): void {
    if (!isFromDriftReport(message)) {
      log().warn(`Drift report: ignored a malformed message from the webview: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    this.handle(message);
  }

  private handle(message: FromDriftReport): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage(toJsonSafe(this.snapshot));
        return;
      case 'openFile':
        this.openFile(this.snapshot.header[message.side].file);
        return;
      case 'openReportJson':
        if (this.snapshot.savedTo) this.openFile(this.snapshot.savedTo);
        return;
      case 'cancel':
        this.cancel?.();
        return;
    }
  }
}

/** Drift report tabs: one per report, restored after a window reload from the saved report. */
export class DriftReportPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<DriftReportState> {
  private readonly panels = new Set<ReportPanel>();
  private readonly savedEmitter = new vscode.EventEmitter<string>();
  private readonly extensionUri: vscode.Uri;
  private readonly workerScript: string;
  /** A report was saved (its file): views listing reports refresh. */
  readonly onDidSaveReport = this.savedEmitter.event;

  constructor(extensionUri: vscode.Uri, workerScript: string) {
    this.extensionUri = extensionUri;
    this.workerScript = workerScript;
  }

  /** Opens a saved report, or brings its tab forward. */
  open(reportFile: string): void {
    const existing = [...this.panels].find((candidate) => candidate.snapshot.savedTo === reportFile);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    let report: DriftReport;
    try {
      report = readReport(reportFile);
    } catch (error) {
      void vscode.window.showErrorMessage(`MLTrail: ${(error as Error).message}`);
      return;
    }
    const panel = vscode.window.createWebviewPanel(DRIFT_REPORT_VIEW_TYPE, this.title(report), vscode.ViewColumn.Active, { retainContextWhenHidden: false });
    this.track(panel, snapshotOf(report, reportFile));
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: DriftReportState | undefined): Promise<void> {
    const file = state?.reportFile;
    let snapshot: ReportSnapshot;
    try {
      if (!file) throw new Error('this drift check did not finish before the window closed');
      snapshot = snapshotOf(readReport(file), file);
    } catch (error) {
      panel.webview.options = webviewOptions(this.extensionUri);
      panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, { title: panel.title, bundle: 'driftReport' });
      const message: ToDriftReport = { type: 'failed', message: (error as Error).message, cancelled: false };
      panel.webview.onDidReceiveMessage((received: unknown) => {
        if (isFromDriftReport(received) && received.type === 'ready') void panel.webview.postMessage(message);
      });
      return;
    }
    this.track(panel, snapshot);
  }

  /** Runs a check with a cancellable progress notification, streaming columns into a new report tab; saves the report. */
  async check(request: DriftCheckRequest): Promise<DriftReport | undefined> {
    const abort = new AbortController();
    const header: ReportHeader = {
      id: '',
      time: new Date().toISOString(),
      reference: { file: request.reference.file, rows: 0, columns: 0, problems: [], ...(request.reference.dataset ? { dataset: request.reference.dataset } : {}) },
      current: { file: request.current.file, rows: 0, columns: 0, problems: [], ...(request.current.dataset ? { dataset: request.current.dataset } : {}) },
      options: reportOptions(request),
    };
    const title = `Drift: ${label(request.reference)} → ${label(request.current)}`;
    const panel = vscode.window.createWebviewPanel(DRIFT_REPORT_VIEW_TYPE, title, vscode.ViewColumn.Active, { retainContextWhenHidden: false });
    const tab = this.track(panel, { type: 'init', header, running: true, planned: [], columns: [], skipped: [], details: {} }, () => abort.abort());
    panel.onDidDispose(() => abort.abort());
    const input: DriftJobInput = { reference: request.reference.file, current: request.current.file, details: true, ...(request.options ? { options: request.options } : {}) };
    if (request.overTime) input.overTime = { window: request.overTime.window, ...(request.overTime.timeColumn !== undefined ? { timeColumn: request.overTime.timeColumn } : {}), baseline: request.overTime.baseline ?? 'threshold' };
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLTrail: ${title}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => abort.abort());
      let planned = 0;
      let finished = 0;
      const report = (message: string, increment?: number) => {
        progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        tab.post({ type: 'progress', message });
      };
      report(`reading ${path.basename(request.reference.file)} and ${path.basename(request.current.file)}…`);
      try {
        const { runDriftJob } = await import('../driftJob.ts');
        const result = await runDriftJob(input, {
          workerScript: this.workerScript,
          signal: abort.signal,
          events: {
            onTables: (reference, current, columns) => {
              planned = columns.length;
              tab.post({ type: 'planned', header: { ...header, reference: { ...header.reference, ...reference }, current: { ...header.current, ...current } }, planned: columns });
              report(`comparing ${columns.length} columns…`, 10);
            },
            onColumn: (_name, comparison) => {
              finished++;
              tab.post('result' in comparison ? { type: 'column', result: comparison.result, ...(comparison.detail ? { detail: comparison.detail } : {}) } : { type: 'column', skipped: comparison.skipped });
              report(`compared ${finished} of ${planned} columns`, planned ? 80 / planned : undefined);
            },
            onOverTime: () => report('comparing chunks over time…'),
          },
        });
        const built = buildReport(result, header.options, { ...(request.reference.dataset ? { reference: request.reference.dataset } : {}), ...(request.current.dataset ? { current: request.current.dataset } : {}) });
        let savedTo: string | undefined;
        try {
          savedTo = saveReport(request.storeDir, built);
          this.savedEmitter.fire(savedTo);
        } catch (error) {
          void vscode.window.showWarningMessage(`MLTrail: the drift report could not be saved: ${(error as Error).message}`);
        }
        tab.post({ type: 'done', columns: built.columns, skipped: built.skipped, verdict: { datasetDrift: built.datasetDrift, drifted: built.drifted, share: built.share, driftShare: built.driftShare }, ...(built.overTime ? { overTime: built.overTime } : {}), ...(savedTo ? { savedTo } : {}) });
        tab.snapshot.header = { ...tab.snapshot.header, id: built.id, time: built.time, reference: built.reference, current: built.current };
        log().info(`Drift ${label(request.reference)} → ${label(request.current)}: ${built.drifted} of ${built.columns.length} columns drifted${savedTo ? `; saved ${savedTo}` : ''}`);
        return built;
      } catch (error) {
        const cancelled = abort.signal.aborted;
        const message = cancelled ? 'The drift check was cancelled.' : (error as Error).message;
        if (tab.disposed) return undefined;
        tab.post({ type: 'failed', message, cancelled });
        if (!cancelled) void vscode.window.showErrorMessage(`MLTrail: ${message}`);
        return undefined;
      }
    });
  }

  private title(report: DriftReport): string {
    return `Drift: ${label(report.reference)} → ${label(report.current)}`;
  }

  private track(panel: vscode.WebviewPanel, snapshot: ReportSnapshot, cancel?: () => void): ReportPanel {
    const tab = new ReportPanel(panel, this.extensionUri, snapshot, (file) => void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file)), cancel);
    this.panels.add(tab);
    panel.onDidDispose(() => this.panels.delete(tab));
    return tab;
  }

  dispose(): void {
    for (const tab of this.panels) tab.panel.dispose();
    this.savedEmitter.dispose();
  }
}

function reportOptions(request: DriftCheckRequest): DriftReport['options'] {
  const options: DriftReport['options'] = { ...(request.options ?? {}) };
  if (request.overTime) {
    options.window = request.overTime.windowText;
    options.baseline = request.overTime.baseline ?? 'threshold';
    if (request.overTime.timeColumn !== undefined) options.timeColumn = request.overTime.timeColumn;
  }
  return options;
}

function snapshotOf(report: DriftReport, file: string): ReportSnapshot {
  const { id, time, reference, current, options } = report;
  return {
    type: 'init',
    header: { id, time, reference, current, options },
    running: false,
    planned: report.columns.map((column) => column.name),
    columns: report.columns,
    skipped: report.skipped,
    details: report.details,
    verdict: { datasetDrift: report.datasetDrift, drifted: report.drifted, share: report.share, driftShare: report.driftShare },
    ...(report.overTime ? { overTime: report.overTime } : {}),
    savedTo: file,
  };
}
