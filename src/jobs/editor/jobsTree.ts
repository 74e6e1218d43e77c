import * as vscode from 'vscode';
import { escapeMarkdown } from '../../platform/markdown.ts';
import { formatDuration } from '../../platform/time.ts';
import type { IndexChange } from '../../runs/runIndex.ts';
import type { WorkspaceConfig } from '../../store/config.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { runDir } from '../../store/layout.ts';
import { parseJobDefinitions } from '../jobConfig.ts';
import type { KubernetesRunState } from '../kubernetes/kubernetesRun.ts';
import { readKubernetesRunState } from '../kubernetes/kubernetesRunState.ts';
import { type JobGroup, type JobRow, type JobRowState, describeJobRow, gpuLabel, groupJobRows, groupOf, isEnded, jobRow, jobRowDuration, stateLabel } from './jobRows.ts';
import { type JobStart, readJobStart } from './jobStart.ts';
import type { KubernetesTrackers } from './kubernetesTrackers.ts';

/** A job run's row. Shaped like the Experiments view's run node, so Open Run and Copy Run ID accept it as is. */
export interface JobRunNode {
  kind: 'run';
  store: FolderStore;
  runId: string;
}

export interface JobGroupNode {
  kind: 'jobGroup';
  group: JobGroup;
}

export type JobsNode = JobGroupNode | JobRunNode;

export interface JobViewRow extends JobRow {
  store: FolderStore;
  group: JobGroup;
}

const GROUPS: ReadonlyArray<{ group: JobGroup; label: string }> = [
  { group: 'running', label: 'Running' },
  { group: 'queued', label: 'Queued' },
  { group: 'finished', label: 'Finished' },
];

const STATE_ICONS: Record<JobRowState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.yellow')),
  starting: new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.blue')),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  finished: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  killed: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  lost: new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground')),
};
const STUCK_ICON = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));

const TICK_MS = 1_000;

/**
 * The Jobs view: job runs (runs with a `job` tag) grouped Running, Queued and Finished (the most recent), the
 * store's records merged with this window's Kubernetes trackers. Durations tick while a run is going and the view
 * is visible.
 */
export class JobsTree implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly stores: WorkspaceStores;
  private readonly trackers: KubernetesTrackers;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly starts = new Map<string, JobStart>();
  private readonly kubernetesStates = new Map<string, KubernetesRunState | null>();
  private readonly declaredGpus = new WeakMap<WorkspaceConfig, Map<string, number>>();
  /** The rows as last drawn, by `runKey`: tree items are built from them. */
  private shown = new Map<string, JobViewRow>();
  private view: vscode.TreeView<JobsNode> | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(stores: WorkspaceStores, trackers: KubernetesTrackers) {
    this.stores = stores;
    this.trackers = trackers;
    this.subscriptions.push(
      stores.onDidChangeRuns(({ store, change }) => this.onRunsChanged(store, change)),
      stores.onDidChangeStores(() => this.refresh()),
    );
  }

  attach(view: vscode.TreeView<JobsNode>): void {
    this.view = view;
    this.subscriptions.push(view.onDidChangeVisibility(() => this.updateTicker()));
  }

  /** Redraws the view; the rows are computed afresh when it asks. */
  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  /** Every job run of the loaded stores, as the view shows it now (tests and benchmarks read the view through this). */
  rows(): JobViewRow[] {
    const rows: JobViewRow[] = [];
    const known = new Set<string>();
    for (const store of this.stores.withStore()) {
      if (!store.isLoaded) continue;
      for (const run of store.index.list()) {
        const job = run.tags.job;
        if (typeof job !== 'string') continue;
        known.add(run.id);
        const view = this.trackers.view(run.id);
        const start = this.start(store, run.id);
        const kubernetes = start?.backend === 'kubernetes' && !view ? this.kubernetesState(store, run.id) : undefined;
        const requestedGpus = this.requestedGpus(store).get(job);
        rows.push(
          this.viewRow(store, jobRow({ runId: run.id, job, run, ...(start ? { start } : {}), ...(kubernetes ? { kubernetes } : {}), ...(view ? { view } : {}), ...(requestedGpus ? { requestedGpus } : {}) })),
        );
      }
    }
    for (const { store: tracked, run, view } of this.trackers.launched()) {
      const store = this.stores.withStore().find((candidate) => candidate.config.storeDir === tracked.storeDir);
      if (!store || known.has(run.id)) continue;
      rows.push(this.viewRow(store, jobRow({ runId: run.id, job: run.job, name: run.name, ...(view ? { view } : {}) })));
    }
    return rows;
  }

  /** The row of a run as the view shows it now. */
  row(store: FolderStore, runId: string): JobViewRow | undefined {
    return this.rows().find((row) => row.store === store && row.runId === runId);
  }

  node(store: FolderStore, runId: string): JobRunNode {
    return { kind: 'run', store, runId };
  }

  async getChildren(node?: JobsNode): Promise<JobsNode[]> {
    if (node?.kind === 'run') return [];
    if (!node) {
      await this.stores.ensureLoaded();
      const rows = this.rows();
      this.shown = new Map(rows.map((row) => [runKey(row.store, row.runId), row]));
      this.updateTicker();
      const grouped = groupJobRows(rows);
      return GROUPS.filter(({ group }) => grouped[group].length > 0).map(({ group }) => ({ kind: 'jobGroup', group }));
    }
    return groupJobRows([...this.shown.values()])[node.group].map((row) => this.node(row.store, row.runId));
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    if (node.kind === 'jobGroup') return this.groupItem(node);
    const row = this.shown.get(runKey(node.store, node.runId));
    const item = new vscode.TreeItem(row?.name ?? node.runId, vscode.TreeItemCollapsibleState.None);
    item.id = `job:${runKey(node.store, node.runId)}`;
    if (!row) return item;
    const multiFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const description = describeJobRow(row, Date.now());
    item.description = multiFolder ? `${description} · ${row.store.folder.name}` : description;
    item.iconPath = row.diagnosis && !isEnded(row.state) ? STUCK_ICON : STATE_ICONS[row.state];
    item.contextValue = `mltrail.job.${isEnded(row.state) ? 'ended' : 'active'}.${row.backend}`;
    item.command = { command: 'mltrail.openRun', title: 'Open Run', arguments: [node] };
    item.accessibilityInformation = { label: accessibleLabel(row) };
    return item;
  }

  /** The tooltip is built on hover only. */
  resolveTreeItem(item: vscode.TreeItem, node: JobsNode): vscode.TreeItem {
    const row = node.kind === 'run' ? this.shown.get(runKey(node.store, node.runId)) : undefined;
    if (row) item.tooltip = tooltip(row);
    return item;
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private viewRow(store: FolderStore, row: JobRow): JobViewRow {
    return { ...row, store, group: groupOf(row.state) };
  }

  private groupItem(node: JobGroupNode): vscode.TreeItem {
    const { label } = GROUPS.find(({ group }) => group === node.group) as { label: string };
    const rows = [...this.shown.values()].filter((row) => row.group === node.group);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `jobGroup:${node.group}`;
    const shownCount = groupJobRows(rows)[node.group].length;
    item.description = shownCount < rows.length ? `${shownCount} most recent of ${rows.length}` : String(rows.length);
    item.contextValue = 'mltrail.jobGroup';
    item.accessibilityInformation = { label: `${label}, ${item.description} runs` };
    return item;
  }

  /** The start record does not change once written: read once per run. */
  private start(store: FolderStore, runId: string): JobStart | undefined {
    const key = runKey(store, runId);
    let start = this.starts.get(key);
    if (!start) {
      start = readJobStart(runDir(store.config.storeDir, runId));
      if (start) this.starts.set(key, start);
    }
    return start;
  }

  /** `resources.gpus` of each declared job, read again when mltrail.json changes. */
  private requestedGpus(store: FolderStore): Map<string, number> {
    let gpus = this.declaredGpus.get(store.config);
    if (!gpus) {
      gpus = new Map();
      for (const job of parseJobDefinitions(store.config).jobs) {
        const requested = job.resources?.gpus;
        if (typeof requested === 'number' && requested > 0) gpus.set(job.name, requested);
      }
      this.declaredGpus.set(store.config, gpus);
    }
    return gpus;
  }

  /** job-state.json's Kubernetes section, read again after each store event for the run. */
  private kubernetesState(store: FolderStore, runId: string): KubernetesRunState | undefined {
    const key = runKey(store, runId);
    let state = this.kubernetesStates.get(key);
    if (state === undefined) {
      state = readKubernetesRunState(runDir(store.config.storeDir, runId)) ?? null;
      this.kubernetesStates.set(key, state);
    }
    return state ?? undefined;
  }

  private onRunsChanged(store: FolderStore, change: IndexChange): void {
    const ids = [...change.added, ...change.updated, ...change.removed];
    for (const runId of ids) this.kubernetesStates.delete(runKey(store, runId));
    for (const runId of change.removed) this.starts.delete(runKey(store, runId));
    this.trackers.indexed([...change.added, ...change.updated]);
    const concernsJobs = ids.some((runId) => this.shown.has(runKey(store, runId)) || typeof store.findRun(runId)?.tags.job === 'string');
    if (concernsJobs) this.refresh();
  }

  /** Ticks every second while the view is visible and a run is going, so durations run live. */
  private updateTicker(): void {
    const going = [...this.shown.values()].some((row) => !isEnded(row.state));
    const tick = going && this.view?.visible === true;
    if (tick && !this.ticker) this.ticker = setInterval(() => this.refresh(), TICK_MS);
    if (!tick && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}

function runKey(store: FolderStore, runId: string): string {
  return `${store.folder.uri.toString()}\u0000${runId}`;
}

function accessibleLabel(row: JobRow): string {
  const duration = jobRowDuration(row, Date.now());
  const gpus = row.gpus > 0 ? `${row.gpus} GPU${row.gpus === 1 ? '' : 's'}` : '';
  const where = row.backend === 'kubernetes' ? `on Kubernetes context ${row.context ?? 'unknown'}` : 'on this machine';
  return [row.name, stateLabel(row), where, gpus, duration === undefined ? '' : formatDuration(duration), row.diagnosis ? `${row.diagnosis.reason}: ${row.diagnosis.message}` : ''].filter(Boolean).join(', ');
}

function tooltip(row: JobViewRow): vscode.MarkdownString {
  const duration = jobRowDuration(row, Date.now());
  const facts = [
    `Run ${row.runId} of job ${row.job}`,
    row.placement
      ? `Kubernetes context ${row.placement.context}, namespace ${row.placement.namespace}, Job ${row.placement.jobName}`
      : row.backend === 'kubernetes' ? `Kubernetes context ${row.context ?? 'unknown'}` : 'On this machine',
    gpuLabel(row.gpus),
    row.submittedAt === undefined ? '' : `Launched ${new Date(row.submittedAt).toLocaleString()}`,
    duration === undefined ? '' : `${row.state === 'queued' ? 'Queued for' : isEnded(row.state) ? 'Took' : 'Running for'} ${formatDuration(duration)}`,
  ].filter(Boolean);
  const markdown = new vscode.MarkdownString(`**${escapeMarkdown(row.name)}** · ${escapeMarkdown(stateLabel(row))}\n\n${facts.map(escapeMarkdown).join('  \n')}`, true);
  const { diagnosis } = row;
  if (diagnosis) {
    markdown.appendMarkdown(`\n\n**${escapeMarkdown(diagnosis.reason)}**: ${escapeMarkdown(diagnosis.message)}`);
    if (diagnosis.detail) markdown.appendMarkdown('\n\n').appendCodeblock(diagnosis.detail, 'log');
    if (diagnosis.hint) markdown.appendMarkdown(`\n\n$(lightbulb) ${escapeMarkdown(diagnosis.hint)}`);
  }
  return markdown;
}
