import * as vscode from 'vscode';
import { formatMetricValue, formatParamValue } from '../../platform/format.ts';
import { escapeMarkdown } from '../../platform/markdown.ts';
import { formatDuration, formatRelativeTime } from '../../platform/time.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import type { RunStatus } from '../records.ts';
import type { IndexChange } from '../runIndex.ts';
import { DEFAULT_SORT, type RunFilter, type RunSort, describeFilter, groupByExperiment, isFilterActive, keyMetricOf, matchesFilter, sortRuns } from '../runQuery.ts';
import type { RunSummary } from '../runSummary.ts';
import type { ExternalSourceKind } from '../../sources/externalSource.ts';

export interface FolderNode {
  kind: 'folder';
  store: FolderStore;
}

export interface ExperimentNode {
  kind: 'experiment';
  store: FolderStore;
  name: string;
  /** Absent for the store's own experiments; else the tracker whose files the runs come from. */
  source?: ExternalSourceKind;
}

export interface RunNode {
  kind: 'run';
  store: FolderStore;
  runId: string;
}

export interface MoreRunsNode {
  kind: 'more';
  experiment: ExperimentNode;
  hidden: number;
}

export type ExperimentsNode = FolderNode | ExperimentNode | RunNode | MoreRunsNode;

export const RUN_CONTEXT_VALUE = 'mltrail.run';
/** Runs read from another tracker's files: they can be opened and compared, not deleted or revealed as run folders. */
export const EXTERNAL_RUN_CONTEXT_VALUE = 'mltrail.externalRun';

const SOURCE_LABELS: Record<ExternalSourceKind, string> = { mlflow: 'MLflow', dvclive: 'DVCLive' };
const SOURCE_ICONS: Record<ExternalSourceKind, string> = { mlflow: 'database', dvclive: 'graph-line' };

/** Whether a run belongs under an experiment row: same name, same source. */
function inExperiment(run: RunSummary, node: ExperimentNode): boolean {
  return run.experiment === node.name && run.source === node.source;
}

const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  finished: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  killed: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  lost: new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground')),
};

const STATUS_LABELS: Record<RunStatus, string> = { running: 'Running', finished: 'Finished', failed: 'Failed', killed: 'Killed', lost: 'Lost' };

export function statusLabel(status: RunStatus): string {
  return STATUS_LABELS[status];
}

const FILTER_KEY = 'mltrail.experiments.filter';
const SORT_KEY = 'mltrail.experiments.sort';

/**
 * The Experiments view: (folder ->) experiment -> runs. Node objects are kept per id so that a change to one run
 * refreshes that row only; experiments list a page of runs at a time.
 */
export class ExperimentsTree implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly stores: WorkspaceStores;
  private readonly memento: vscode.Memento;
  private readonly runNodes = new Map<string, RunNode>();
  private readonly experimentNodes = new Map<string, ExperimentNode>();
  private readonly folderNodes = new Map<string, FolderNode>();
  private readonly shownRuns = new Map<string, number>();
  /**
   * Status and experiment of every run as the rows show them, drawn or not (a collapsed experiment still counts its
   * running runs): an experiment row needs redrawing only when one of these changes.
   */
  private readonly shown = new Map<string, { status: RunStatus; experiment: string }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private filterValue: RunFilter;
  private sortValue: RunSort;
  private view: vscode.TreeView<ExperimentsNode> | undefined;

  constructor(stores: WorkspaceStores, memento: vscode.Memento) {
    this.stores = stores;
    this.memento = memento;
    this.filterValue = memento.get<RunFilter>(FILTER_KEY, {});
    this.sortValue = memento.get<RunSort>(SORT_KEY, DEFAULT_SORT);
    this.subscriptions.push(
      stores.onDidChangeRuns(({ store, change }) => this.onRunsChanged(store, change)),
      stores.onDidChangeStores(() => this.changeEmitter.fire(undefined)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('mltrail.experiments')) this.changeEmitter.fire(undefined);
      }),
    );
  }

  attach(view: vscode.TreeView<ExperimentsNode>): void {
    this.view = view;
    this.updateViewDescription();
  }

  get filter(): RunFilter {
    return this.filterValue;
  }

  get sort(): RunSort {
    return this.sortValue;
  }

  async setFilter(filter: RunFilter): Promise<void> {
    this.filterValue = filter;
    await this.memento.update(FILTER_KEY, filter);
    this.shownRuns.clear();
    this.updateViewDescription();
    this.changeEmitter.fire(undefined);
  }

  async setSort(sort: RunSort): Promise<void> {
    this.sortValue = sort;
    await this.memento.update(SORT_KEY, sort);
    this.changeEmitter.fire(undefined);
  }

  showMore(node: MoreRunsNode): void {
    const key = this.experimentKey(node.experiment.store, node.experiment.name, node.experiment.source);
    this.shownRuns.set(key, (this.shownRuns.get(key) ?? this.pageSize()) + this.pageSize());
    this.changeEmitter.fire(node.experiment);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) {
      const stores = await this.stores.ensureLoaded();
      this.updateViewDescription();
      if ((vscode.workspace.workspaceFolders?.length ?? 0) > 1) {
        return stores.filter((store) => this.visibleRuns(store).length > 0 || !isFilterActive(this.filterValue)).map((store) => this.folderNode(store));
      }
      return stores.length === 1 ? this.experimentsOf(stores[0] as FolderStore) : [];
    }
    switch (node.kind) {
      case 'folder':
        return this.experimentsOf(node.store);
      case 'experiment':
        return this.runsOf(node);
      default:
        return [];
    }
  }

  getParent(node: ExperimentsNode): ExperimentsNode | undefined {
    switch (node.kind) {
      case 'folder':
        return undefined;
      case 'experiment':
        return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? this.folderNode(node.store) : undefined;
      case 'run': {
        const run = node.store.findRun(node.runId);
        return run ? this.experimentNode(node.store, run.experiment, run.source) : undefined;
      }
      case 'more':
        return node.experiment;
    }
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder':
        return this.folderItem(node);
      case 'experiment':
        return this.experimentItem(node);
      case 'run':
        return this.runItem(node);
      case 'more': {
        const item = new vscode.TreeItem(`Show ${Math.min(node.hidden, this.pageSize()).toLocaleString('en-US')} more runs…`);
        item.id = `more:${this.experimentKey(node.experiment.store, node.experiment.name, node.experiment.source)}`;
        item.description = `${node.hidden.toLocaleString('en-US')} not shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'mltrail.showMoreRuns', title: 'Show More Runs', arguments: [node] };
        return item;
      }
    }
  }

  /** The tooltip is built on hover only: thousands of rows need none up front. */
  resolveTreeItem(item: vscode.TreeItem, node: ExperimentsNode): vscode.TreeItem {
    if (node.kind === 'run') {
      const run = node.store.findRun(node.runId);
      if (run) item.tooltip = runTooltip(run);
    }
    return item;
  }

  /** The node of a run, if the run exists, for `TreeView.reveal`. */
  nodeOf(store: FolderStore, runId: string): RunNode | undefined {
    return store.findRun(runId) ? this.runNode(store, runId) : undefined;
  }

  private pageSize(): number {
    return vscode.workspace.getConfiguration('mltrail').get<number>('experiments.pageSize', 200);
  }

  private visibleRuns(store: FolderStore): RunSummary[] {
    return store.runs().filter((run) => matchesFilter(run, this.filterValue));
  }

  private experimentsOf(store: FolderStore): ExperimentNode[] {
    const runs = this.visibleRuns(store);
    const own = runs.filter((run) => !run.source);
    const nodes = [...groupByExperiment(own).keys()].map((name) => this.experimentNode(store, name));
    for (const source of ['mlflow', 'dvclive'] as const) {
      const external = runs.filter((run) => run.source === source);
      for (const name of groupByExperiment(external).keys()) nodes.push(this.experimentNode(store, name, source));
    }
    return nodes;
  }

  private runsOf(node: ExperimentNode): ExperimentsNode[] {
    const runs = sortRuns(
      node.store.runs().filter((run) => inExperiment(run, node) && matchesFilter(run, this.filterValue)),
      this.sortValue,
      node.store.config.keyMetric,
    );
    const shown = this.shownRuns.get(this.experimentKey(node.store, node.name, node.source)) ?? this.pageSize();
    const children: ExperimentsNode[] = runs.slice(0, shown).map((run) => this.runNode(node.store, run.id));
    if (runs.length > shown) children.push({ kind: 'more', experiment: node, hidden: runs.length - shown });
    return children;
  }

  private folderItem(node: FolderNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.store.folder.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `folder:${node.store.folder.uri.toString()}`;
    item.iconPath = vscode.ThemeIcon.Folder;
    item.description = countRuns(this.visibleRuns(node.store).length);
    item.contextValue = 'mltrail.folder';
    return item;
  }

  private experimentItem(node: ExperimentNode): vscode.TreeItem {
    const runs = this.visibleRuns(node.store).filter((run) => inExperiment(run, node));
    const running = runs.filter((run) => run.status === 'running').length;
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `experiment:${this.experimentKey(node.store, node.name, node.source)}`;
    item.iconPath = new vscode.ThemeIcon(node.source ? SOURCE_ICONS[node.source] : 'beaker');
    const counts = running > 0 ? `${countRuns(runs.length)} · ${running} running` : countRuns(runs.length);
    item.description = node.source ? `${SOURCE_LABELS[node.source]} · ${counts}` : counts;
    item.tooltip = node.source ? `${node.name}: ${counts}, read from ${SOURCE_LABELS[node.source]} (read-only)` : `${node.name}: ${counts}`;
    item.contextValue = 'mltrail.experiment';
    return item;
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const run = node.store.findRun(node.runId);
    const item = new vscode.TreeItem(run?.name ?? node.runId, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.store.folder.uri.toString()}:${node.runId}`;
    item.contextValue = run?.source ? EXTERNAL_RUN_CONTEXT_VALUE : RUN_CONTEXT_VALUE;
    if (!run) return item;
    item.iconPath = STATUS_ICONS[run.status];
    const parts: string[] = [];
    const key = keyMetricOf(run, node.store.config.keyMetric);
    if (key) parts.push(`${key.name} ${formatMetricValue(key.summary.last)}`);
    if (run.startTime !== undefined && vscode.workspace.getConfiguration('mltrail').get<boolean>('experiments.showRelativeTime', true)) {
      parts.push(formatRelativeTime(run.startTime, Date.now()));
    }
    item.description = parts.join(' · ');
    item.accessibilityInformation = { label: `${run.name}, ${statusLabel(run.status)}${parts.length ? `, ${parts.join(', ')}` : ''}` };
    item.command = { command: 'mltrail.openRun', title: 'Open Run', arguments: [node] };
    return item;
  }

  private onRunsChanged(store: FolderStore, change: IndexChange): void {
    let regroup = change.added.length + change.removed.length > 0 || isFilterActive(this.filterValue) || (this.sortValue.key !== 'started' && this.sortValue.key !== 'name');
    const experiments = new Set<string>();
    for (const runId of change.updated) {
      const run = store.findRun(runId);
      const key = this.runKey(store, runId);
      const before = this.shown.get(key);
      if (!run) continue;
      this.shown.set(key, { status: run.status, experiment: run.experiment });
      if (before && before.experiment !== run.experiment) regroup = true;
      // The experiment row counts running runs: redraw it only when a status changed.
      else if (before && before.status !== run.status) experiments.add(this.experimentKey(store, run.experiment, run.source));
    }
    for (const runId of change.added) {
      const run = store.findRun(runId);
      if (run) this.shown.set(this.runKey(store, runId), { status: run.status, experiment: run.experiment });
    }
    for (const runId of change.removed) {
      this.shown.delete(this.runKey(store, runId));
      this.runNodes.delete(this.runKey(store, runId));
    }
    if (regroup) {
      this.changeEmitter.fire(undefined);
      return;
    }
    for (const runId of change.updated) {
      const node = this.runNodes.get(this.runKey(store, runId));
      if (node) this.changeEmitter.fire(node);
    }
    for (const key of experiments) {
      const node = this.experimentNodes.get(key);
      if (node) this.changeEmitter.fire(node);
    }
  }

  private updateViewDescription(): void {
    if (!this.view) return;
    const active = isFilterActive(this.filterValue);
    this.view.description = active ? describeFilter(this.filterValue) : undefined;
    const anyRuns = this.stores.withStore().some((store) => store.isLoaded && store.runs().length > 0);
    const anyVisible = this.stores.withStore().some((store) => this.visibleRuns(store).length > 0);
    this.view.message = active && anyRuns && !anyVisible ? 'No runs match the filter. Use Clear Run Filter in the title bar to see every run.' : undefined;
    void vscode.commands.executeCommand('setContext', 'mltrail.runsFiltered', active);
  }

  private runKey(store: FolderStore, runId: string): string {
    return `${store.folder.uri.toString()}\u0000${runId}`;
  }

  private experimentKey(store: FolderStore, name: string, source?: ExternalSourceKind): string {
    return `${store.folder.uri.toString()}\u0000${source ?? ''}\u0000${name}`;
  }

  private runNode(store: FolderStore, runId: string): RunNode {
    return getOrCreate(this.runNodes, this.runKey(store, runId), () => ({ kind: 'run', store, runId }));
  }

  private experimentNode(store: FolderStore, name: string, source?: ExternalSourceKind): ExperimentNode {
    return getOrCreate(this.experimentNodes, this.experimentKey(store, name, source), () => (source ? { kind: 'experiment', store, name, source } : { kind: 'experiment', store, name }));
  }

  private folderNode(store: FolderStore): FolderNode {
    return getOrCreate(this.folderNodes, store.folder.uri.toString(), () => ({ kind: 'folder', store }));
  }
}

/** Tree nodes are kept per id: VS Code refreshes a row by the identity of the object it was given. */
function getOrCreate<T>(nodes: Map<string, T>, key: string, create: () => T): T {
  let node = nodes.get(key);
  if (!node) {
    node = create();
    nodes.set(key, node);
  }
  return node;
}

function countRuns(count: number): string {
  return count === 1 ? '1 run' : `${count.toLocaleString('en-US')} runs`;
}

const TOOLTIP_ROWS = 12;

function runTooltip(run: RunSummary): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(undefined, false);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  const lines = [`**${escapeMarkdown(run.name)}** · ${statusLabel(run.status)}`, '', `\`${run.id}\` in ${escapeMarkdown(run.experiment)}`];
  if (run.startTime !== undefined) {
    const ended = run.endTime !== undefined ? ` · ran ${formatDuration(run.endTime - run.startTime)}` : '';
    lines.push('', `Started ${escapeMarkdown(new Date(run.startTime).toLocaleString())}${ended}`);
  }
  const table = (title: string, rows: Array<[string, string]>) => {
    if (rows.length === 0) return;
    lines.push('', `| ${title} | |`, '|:--|--:|');
    for (const [name, value] of rows.slice(0, TOOLTIP_ROWS)) lines.push(`| ${escapeMarkdown(name)} | ${escapeMarkdown(value)} |`);
    if (rows.length > TOOLTIP_ROWS) lines.push(`| … ${rows.length - TOOLTIP_ROWS} more | |`);
  };
  table('Metric', Object.entries(run.metrics).map(([name, summary]) => [name, formatMetricValue(summary.last)]));
  table('Param', Object.entries(run.params).map(([name, value]) => [name, formatParamValue(value)]));
  markdown.appendMarkdown(lines.join('\n'));
  return markdown;
}
