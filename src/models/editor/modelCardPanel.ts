import * as vscode from 'vscode';
import { renderWebviewHtml, webviewOptions } from '../../platform/editor/webviewHtml.ts';
import { log } from '../../platform/editor/log.ts';
import { encodeJsonNumber } from '../../platform/jsonNumbers.ts';
import { type ModelCard, type ModelCardState, type ToModelCard, isFromModelCard } from '../modelCardProtocol.ts';
import type { ModelEntry, ModelsTree } from './modelsTree.ts';

export const MODEL_CARD_VIEW_TYPE = 'mltrail.modelCard';

export interface ModelCardActions {
  promote(model: ModelEntry, version: number): Promise<unknown>;
  rollback(model: ModelEntry): Promise<unknown>;
  openRun(model: ModelEntry, runId: string): void;
}

interface OpenCard {
  panel: vscode.WebviewPanel;
  state: ModelCardState;
  ready: boolean;
}

/** Model cards: one tab per model version, updated when the model's records change, restored after a reload. */
export class ModelCardPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<ModelCardState> {
  private readonly cards = new Set<OpenCard>();
  private readonly subscription: vscode.Disposable;
  private readonly extensionUri: vscode.Uri;
  private readonly tree: ModelsTree;
  private actions?: ModelCardActions;

  constructor(extensionUri: vscode.Uri, tree: ModelsTree) {
    this.extensionUri = extensionUri;
    this.tree = tree;
    this.subscription = tree.onDidChangeModels(() => {
      for (const card of this.cards) this.send(card);
    });
  }

  setActions(actions: ModelCardActions): void {
    this.actions = actions;
  }

  open(storeDir: string, model: string, version: number): void {
    const existing = [...this.cards].find((card) => card.state.storeDir === storeDir && card.state.model === model && card.state.version === version);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(MODEL_CARD_VIEW_TYPE, `${model} v${version}`, vscode.ViewColumn.Active, {});
    this.track(panel, { storeDir, model, version });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ModelCardState | undefined): Promise<void> {
    if (!state || typeof state.storeDir !== 'string' || typeof state.model !== 'string' || typeof state.version !== 'number') {
      panel.dispose();
      return;
    }
    this.track(panel, state);
  }

  private track(panel: vscode.WebviewPanel, state: ModelCardState): void {
    const card: OpenCard = { panel, state, ready: false };
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, { title: panel.title, bundle: 'modelCard' });
    panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(card, message));
    panel.onDidDispose(() => this.cards.delete(card));
    this.cards.add(card);
  }

  private cardOf(state: ModelCardState): { entry: ModelEntry; card: ModelCard } | undefined {
    const entry = this.tree.find(state.storeDir, state.model);
    const version = entry?.state.versions.find((candidate) => candidate.version === state.version);
    if (!entry || !version) return undefined;
    const run = entry.store.findRun(version.run);
    const check = this.tree.artifactCheck(entry, version.version);
    const metrics = Object.fromEntries(Object.entries(version.metrics).map(([name, value]) => [name, encodeJsonNumber(value)]));
    const card: ModelCard = {
      model: entry.name,
      ...(entry.config ? { metric: entry.config.metric, goal: entry.config.goal, minDelta: entry.config.minDelta } : {}),
      ...(entry.state.production !== undefined ? { production: entry.state.production } : {}),
      ...(entry.state.rollbackTarget !== undefined ? { rollbackTarget: entry.state.rollbackTarget } : {}),
      version: {
        version: version.version,
        stage: version.stage,
        aliases: version.aliases,
        run: version.run,
        ...(run ? { runName: run.name } : {}),
        path: version.path,
        hash: version.hash,
        size: version.size,
        metrics,
        params: run?.params ?? {},
        datasets: version.datasets,
        ...(version.git ? { git: version.git } : {}),
        time: version.time,
        user: version.user,
        ...(check ? { artifact: { status: check.status, ...(check.hash ? { hash: check.hash } : {}), ...(check.error ? { error: check.error } : {}) } } : {}),
      },
      history: entry.state.history.filter((change) => change.version === version.version),
    };
    return { entry, card };
  }

  private send(card: OpenCard): void {
    if (!card.ready) return;
    const found = this.cardOf(card.state);
    const message: ToModelCard = found ? { type: 'card', card: found.card, state: card.state } : { type: 'gone', message: `${card.state.model} v${card.state.version} is no longer in the registry of ${card.state.storeDir}.` };
    void card.panel.webview.postMessage(message);
  }

  private onMessage(card: OpenCard, message: unknown): void {
    if (!isFromModelCard(message)) {
      log().warn(`Model card: ignored a malformed message: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      card.ready = true;
      this.send(card);
      return;
    }
    const found = this.cardOf(card.state);
    if (!found || !this.actions) return;
    if (message.type === 'promote') void this.actions.promote(found.entry, card.state.version);
    else if (message.type === 'rollback') void this.actions.rollback(found.entry);
    else this.actions.openRun(found.entry, found.card.version.run);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const card of this.cards) card.panel.dispose();
  }
}
