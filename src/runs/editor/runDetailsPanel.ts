import path from 'node:path';
import * as vscode from 'vscode';
import { renderWebviewHtml, webviewOptions } from '../../platform/editor/webviewHtml.ts';
import { isValidRunId } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { toRunDetailsModel } from '../runDetailsModel.ts';
import { type RunDetailsModel, type ToRunDetails, diffRunDetails, isFromRunDetails, isRunDetailsState } from '../runDetailsProtocol.ts';

export const RUN_DETAILS_VIEW_TYPE = 'mltrail.runDetails';

/** The run-details webview of one run: a full model once the page is ready, then deltas while the run changes. */
class RunDetailsPanel implements vscode.Disposable {
  readonly store: FolderStore;
  readonly runId: string;
  readonly panel: vscode.WebviewPanel;
  /** What the page has, once it is ready: a delta is computed against this. */
  private sent: RunDetailsModel | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(panel: vscode.WebviewPanel, store: FolderStore, runId: string, extensionUri: vscode.Uri, onDispose: () => void) {
    this.panel = panel;
    this.store = store;
    this.runId = runId;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mltrail.svg');
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, { title: 'Run details', bundle: 'runDetails' });
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      store.onDidChangeRuns((change) => {
        if (change.removed.includes(runId)) this.showRemoved();
        else if (change.updated.includes(runId) || change.added.includes(runId)) this.pushUpdate();
      }),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
    this.updateTitle();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private model(): RunDetailsModel | undefined {
    const run = this.store.findRun(this.runId);
    return run ? toRunDetailsModel(run, this.store.index.problems(this.runId).length) : undefined;
  }

  private updateTitle(): void {
    const run = this.store.findRun(this.runId);
    this.panel.title = `Run: ${run?.name ?? this.runId}`;
  }

  private post(message: ToRunDetails): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private showRemoved(): void {
    this.sent = undefined;
    if (this.ready) void this.post({ type: 'removed' });
  }

  /** The whole model the first time (or after the run came back), then only what changed. */
  private pushUpdate(): void {
    if (!this.ready) return;
    const next = this.model();
    if (!next) return this.showRemoved();
    if (!this.sent) {
      this.sent = next;
      this.updateTitle();
      void this.post({ type: 'init', run: next, state: { folder: this.store.folder.uri.toString(), runId: this.runId } });
      return;
    }
    const delta = diffRunDetails(this.sent, next);
    if (!delta) return;
    this.sent = next;
    if (delta.fields?.name !== undefined) this.updateTitle();
    void this.post({ type: 'update', delta });
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isFromRunDetails(message)) return;
    const dir = this.store.index.runDir(this.runId);
    switch (message.type) {
      case 'ready':
        // A reloaded page (the panel was hidden and shown again) starts from the whole model.
        await this.store.ensureLoaded();
        this.ready = true;
        this.sent = undefined;
        this.pushUpdate();
        return;
      case 'copyRunId':
        await vscode.env.clipboard.writeText(this.runId);
        vscode.window.setStatusBarMessage(`$(check) Copied run ID ${this.runId}`, 3000);
        return;
      case 'revealRun':
        if (this.store.findRun(this.runId)?.source) return;
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
        return;
      case 'openFile':
        if (this.store.findRun(this.runId)?.source) return;
        await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, message.file)), { preview: true });
        return;
    }
  }
}

/** One panel per run: opening a run again reveals its panel. Panels come back after a window reload. */
export class RunDetailsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, RunDetailsPanel>();
  private readonly extensionUri: vscode.Uri;
  private readonly stores: WorkspaceStores;

  constructor(extensionUri: vscode.Uri, stores: WorkspaceStores) {
    this.extensionUri = extensionUri;
    this.stores = stores;
  }

  /** `preserveFocus`: a click in the Experiments view leaves the keyboard there, as the Explorer's preview does. */
  open(store: FolderStore, runId: string, preserveFocus = false): vscode.WebviewPanel {
    const key = this.key(store, runId);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(RUN_DETAILS_VIEW_TYPE, `Run: ${runId}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus }, webviewOptions(this.extensionUri));
    this.track(panel, store, runId);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const store = isRunDetailsState(state) ? this.stores.get(state.folder) : undefined;
    if (!store || !isRunDetailsState(state) || !isValidRunId(state.runId)) {
      panel.dispose();
      return;
    }
    this.track(panel, store, state.runId);
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.panel.dispose();
  }

  private track(panel: vscode.WebviewPanel, store: FolderStore, runId: string): void {
    const key = this.key(store, runId);
    this.panels.set(key, new RunDetailsPanel(panel, store, runId, this.extensionUri, () => this.panels.delete(key)));
  }

  private key(store: FolderStore, runId: string): string {
    return `${store.folder.uri.toString()}\u0000${runId}`;
  }
}
