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
import { type JobGroup, type JobRow, type JobRowState, describeJobRow, diffJobRows, gpuLabel, groupJobRows, groupOf, isEnded, jobRow, jobRowDuration, stateLabel } from './jobRows.ts';
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
/** Training loops append metrics many times a second: the rows are computed again at most this often for them. */
const UPDATE_MS = 500;

/**
 * The Jobs view: job runs (runs with a `job` tag) grouped Running, Queued and Finished (the most recent), the
 * store's records merged with this window's Kubernetes trackers. Only what changed is drawn again: the groups when
 * rows come, go or move, else the rows whose look changed; while the view is visible and a run goes, its row
 * is drawn again every second (its duration), and the job-state.json of Kubernetes runs another process follows is
 * read again (their phase and diagnosis reach the store through that file only).
 */
export class JobsTree implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<JobsNode | JobsNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly stores: WorkspaceStores;
  private readonly trackers: KubernetesTrackers;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly starts = new Map<string, JobStart>();
  private readonly kubernetesStates = new Map<string, KubernetesRunState | null>();
  private readonly declaredGpus = new WeakMap<WorkspaceConfig, Map<string, number>>();
  /** The rows as last drawn (or about to be), by `runKey`: tree items are built from them. */
  private shown = new Map<string, JobViewRow>();
  /** One node per run: the tree view tells elements apart by identity when asked to draw some again. */
  private readonly nodes = new Map<string, JobRunNode>();
  private view: vscode.TreeView<JobsNode> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private updateTimer: NodeJS.Timeout | undefined;
  private lastUpdate = 0;

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

  /** Redraws the whole view; the rows are computed afresh when it asks. */
  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  /** Computes the rows again now and draws again what changed (a tracker's phase or diagnosis). */
  update(): void {
    clearTimeout(this.updateTimer);
    this.updateTimer = undefined;
    this.lastUpdate = Date.now();
    this.redrawChanged([]);
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
        const script = typeof run.tags.script === 'string' ? run.tags.script : undefined;
        const view = this.trackers.view(run.id);
        const start = this.start(store, run.id);
        const kubernetes = start?.backend === 'kubernetes' && !view ? this.kubernetesState(store, run.id) : undefined;
        // An ad-hoc script run shares its name with no declared job, whatever its file stem says.
        const requestedGpus = script === undefined ? this.requestedGpus(store).get(job) : undefined;
        rows.push(
          this.viewRow(
            store,
            jobRow({ runId: run.id, job, run, ...(script !== undefined ? { script } : {}), ...(start ? { start } : {}), ...(kubernetes ? { kubernetes } : {}), ...(view ? { view } : {}), ...(requestedGpus ? { requestedGpus } : {}) }),
          ),
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
    const key = runKey(store, runId);
    let node = this.nodes.get(key);
    if (!node) {
      node = { kind: 'run', store, runId };
      this.nodes.set(key, node);
    }
    return node;
  }

  async getChildren(node?: JobsNode): Promise<JobsNode[]> {
    if (node?.kind === 'run') return [];
    if (!node) {
      await this.stores.ensureLoaded();
      this.shown = rowsByKey(this.rows());
      for (const key of this.nodes.keys()) if (!this.shown.has(key)) this.nodes.delete(key);
      this.updateTicker();
      const grouped = groupJobRows([...this.shown.values()]);
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
    clearTimeout(this.updateTimer);
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

  /** job-state.json's Kubernetes section, read again after each store event for the run (and each tick while another process follows it). */
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
    if (concernsJobs) this.scheduleUpdate();
  }

  /** At most once per UPDATE_MS: the first change at once (on the next turn), the rest gathered. */
  private scheduleUpdate(): void {
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => this.update(), Math.max(0, this.lastUpdate + UPDATE_MS - Date.now()));
  }

  /** Fires for what changed since the rows were last drawn, and for the rows in `alsoDraw`. */
  private redrawChanged(alsoDraw: readonly string[]): void {
    const before = this.shown;
    const after = rowsByKey(this.rows());
    this.shown = after;
    const { regroup, changed } = diffJobRows(before, after);
    if (regroup) {
      this.changeEmitter.fire(undefined);
      return;
    }
    const redrawn = [...new Set([...changed, ...alsoDraw])].flatMap((key) => {
      const row = after.get(key);
      return row ? [this.node(row.store, row.runId)] : [];
    });
    if (redrawn.length > 0) this.changeEmitter.fire(redrawn);
    this.updateTicker();
  }

  /**
   * Each second while visible: the rows of going runs are drawn again (their duration), and the job-state.json of
   * those Kubernetes runs no tracker of this window follows is read again.
   */
  private tick(): void {
    const going = [...this.shown].filter(([, row]) => !isEnded(row.state));
    for (const [key, row] of going) if (row.backend === 'kubernetes' && !this.trackers.view(row.runId)) this.kubernetesStates.delete(key);
    this.redrawChanged(going.map(([key]) => key));
  }

  /** Ticks every second while the view is visible and a run is going. */
  private updateTicker(): void {
    const going = [...this.shown.values()].some((row) => !isEnded(row.state));
    const tick = going && this.view?.visible === true;
    if (tick && !this.ticker) this.ticker = setInterval(() => this.tick(), TICK_MS);
    if (!tick && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}

function rowsByKey(rows: readonly JobViewRow[]): Map<string, JobViewRow> {
  return new Map(rows.map((row) => [runKey(row.store, row.runId), row]));
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
