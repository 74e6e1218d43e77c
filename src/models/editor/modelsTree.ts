import * as vscode from 'vscode';
import { log } from '../../platform/editor/log.ts';
import { formatMetricValue } from '../../platform/format.ts';
import { formatRelativeTime } from '../../platform/time.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { type ArtifactCheck, verifyArtifacts } from '../artifactCheck.ts';
import { type ModelConfig, parseModelConfigs } from '../modelConfig.ts';
import type { ModelState, ModelVersion, Stage } from '../modelRecords.ts';
import { listRecordedModels, readModel } from '../modelStore.ts';

export interface ModelEntry {
  store: FolderStore;
  name: string;
  config?: ModelConfig;
  state: ModelState;
}

export type ModelsNode = { kind: 'model'; model: ModelEntry } | { kind: 'modelVersion'; model: ModelEntry; version: ModelVersion };

const STAGE_ICONS: Record<Stage, string> = { production: 'star-full', staging: 'beaker', archived: 'archive', none: 'circle-outline' };
const REFRESH_DELAY_MS = 300;

/** The Models view: model -> versions with stage badges, metric, source run, age, and artifact checks. */
export class ModelsTree implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelsNode | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly watchers: vscode.Disposable[] = [];
  private models: ModelEntry[] | undefined;
  /** Artifact checks by `<storeDir>\0<model>\0<version>`, filled in the background. */
  private readonly checks = new Map<string, ArtifactCheck>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly stores: WorkspaceStores;
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** A model's records changed (its card refreshes). */
  private readonly modelsEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeModels = this.modelsEmitter.event;

  constructor(stores: WorkspaceStores) {
    this.stores = stores;
    this.subscriptions.push(stores.onDidChangeStores(() => this.refresh()));
  }

  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.models = undefined;
      this.changeEmitter.fire(undefined);
      this.modelsEmitter.fire();
    }, REFRESH_DELAY_MS);
  }

  all(): ModelEntry[] {
    if (this.models) return this.models;
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
    const models: ModelEntry[] = [];
    for (const store of this.stores.withStore()) {
      const { models: configs, problems } = parseModelConfigs(store.config);
      for (const problem of problems) log().warn(`${store.config.configFile}:${problem.line}: ${problem.message}`);
      const names = [...new Set([...configs.map((config) => config.name), ...listRecordedModels(store.config.storeDir)])];
      for (const name of names) {
        const config = configs.find((candidate) => candidate.name === name);
        models.push({ store, name, ...(config ? { config } : {}), state: readModel(store.config.storeDir, name) });
      }
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(store.config.storeDir), 'models/*.jsonl'));
      watcher.onDidChange(() => this.refresh());
      watcher.onDidCreate(() => this.refresh());
      watcher.onDidDelete(() => this.refresh());
      this.watchers.push(watcher);
    }
    this.models = models;
    void this.verify(models);
    return models;
  }

  find(storeDir: string, name: string): ModelEntry | undefined {
    return this.all().find((model) => model.store.config.storeDir === storeDir && model.name === name);
  }

  artifactCheck(model: ModelEntry, version: number): ArtifactCheck | undefined {
    return this.checks.get(`${model.store.config.storeDir}\u0000${model.name}\u0000${version}`);
  }

  private async verify(models: ModelEntry[]): Promise<void> {
    for (const model of models) {
      try {
        const checks = await verifyArtifacts(model.store.config.storeDir, model.store.folder.uri.fsPath, model.state.versions);
        model.state.versions.forEach((version, index) => {
          const check = checks[index];
          if (check) this.checks.set(`${model.store.config.storeDir}\u0000${model.name}\u0000${version.version}`, check);
        });
      } catch (error) {
        log().warn(`Could not check the artifacts of model ${model.name}: ${(error as Error).message}`);
      }
    }
    this.changeEmitter.fire(undefined);
    this.modelsEmitter.fire();
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    if (!node) return this.all().map((model) => ({ kind: 'model', model }));
    if (node.kind === 'model') return [...node.model.state.versions].reverse().map((version) => ({ kind: 'modelVersion', model: node.model, version }));
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.kind === 'model') {
      const { state, config } = node.model;
      const item = new vscode.TreeItem(node.model.name, state.versions.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      const production = state.production !== undefined ? state.versions.find((version) => version.version === state.production) : undefined;
      const metric = config?.metric;
      item.description = [production ? `production v${production.version}` : state.versions.length ? 'nothing in production' : 'no versions yet', production && metric && production.metrics[metric] !== undefined ? `${metric} ${formatMetricValue(production.metrics[metric] as number)}` : ''].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon('package');
      item.tooltip = config ? `${node.model.name}: ${config.path ?? '(no path)'}; promotions to production need ${config.metric} to ${config.goal === 'max' ? 'rise' : 'fall'} by at least ${config.minDelta}` : `${node.model.name} (recorded, not declared in mltrail.json)`;
      item.contextValue = state.rollbackTarget !== undefined ? 'mltrail.model.canRollBack' : 'mltrail.model';
      item.accessibilityInformation = { label: `${node.model.name}, ${item.description}` };
      // VS Code keeps a row's collapsible state while its id stays: a model's first version must make a new row.
      item.id = `${node.model.store.config.storeDir}\u0000${node.model.name}\u0000${state.versions.length > 0}`;
      return item;
    }
    const { model, version } = node;
    const item = new vscode.TreeItem(`v${version.version}`, vscode.TreeItemCollapsibleState.None);
    const check = this.artifactCheck(model, version.version);
    const metric = model.config?.metric;
    const run = model.store.findRun(version.run);
    item.description = [version.stage !== 'none' ? version.stage : '', ...version.aliases.map((alias) => `@${alias}`), metric && version.metrics[metric] !== undefined ? `${metric} ${formatMetricValue(version.metrics[metric] as number)}` : '', run?.name ?? version.run, formatRelativeTime(version.time, Date.now()), check && check.status !== 'ok' ? `artifact ${check.status}` : ''].filter(Boolean).join(' · ');
    const problem = check && check.status !== 'ok';
    item.iconPath = new vscode.ThemeIcon(problem ? 'warning' : STAGE_ICONS[version.stage], problem ? new vscode.ThemeColor('list.warningForeground') : version.stage === 'production' ? new vscode.ThemeColor('charts.yellow') : undefined);
    item.tooltip = [`${model.name} v${version.version} (${version.stage})`, `Artifact ${version.path}: ${version.hash}`, check ? (check.status === 'ok' ? 'Artifact unchanged since registration' : check.status === 'changed' ? `Artifact changed since registration (now ${check.hash})` : check.status === 'missing' ? 'Artifact missing' : `Artifact unreadable: ${check.error}`) : 'Checking the artifact…', `From run ${version.run}`, `Registered by ${version.user}, ${new Date(version.time).toLocaleString()}`].join('\n');
    item.contextValue = `mltrail.modelVersion.${version.stage}`;
    item.command = { command: 'mltrail.openModelCard', title: 'Open Model Card', arguments: [node] };
    item.accessibilityInformation = { label: `v${version.version}, ${item.description}` };
    return item;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const watcher of this.watchers) watcher.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.modelsEmitter.dispose();
  }
}
