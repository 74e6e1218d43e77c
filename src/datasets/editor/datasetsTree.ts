import path from 'node:path';
import * as vscode from 'vscode';
import { type ReportSummary, listReports } from '../../drift/driftReport.ts';
import { log } from '../../platform/editor/log.ts';
import { formatRelativeTime } from '../../platform/time.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { isOnDisk } from '../datasetInput.ts';
import type { DatasetRecord } from '../datasetRecords.ts';
import { formatSize } from '../formatSize.ts';
import { type DatasetEntry, listDatasets } from '../listDatasets.ts';

export type DatasetsNode =
  | { kind: 'dataset'; store: FolderStore; dataset: DatasetEntry; reports: ReportSummary[] }
  | { kind: 'version'; store: FolderStore; dataset: DatasetEntry; record: DatasetRecord; usedBy: RunSummary[] }
  | { kind: 'usedBy'; store: FolderStore; runId: string; runName: string }
  | { kind: 'reports'; store: FolderStore; reports: ReportSummary[]; label: string }
  | { kind: 'report'; store: FolderStore; report: ReportSummary };

interface FolderListing {
  store: FolderStore;
  datasets: DatasetEntry[];
  reports: ReportSummary[];
}

const REFRESH_DELAY_MS = 300;

/** Whether a report compared this dataset: named as a version, or a file inside the dataset's path. */
function reportsOf(dataset: DatasetEntry, reports: readonly ReportSummary[]): ReportSummary[] {
  const inside = (file: string) => dataset.absolutePath !== '' && (file === dataset.absolutePath || file.startsWith(dataset.absolutePath + path.sep));
  return reports.filter((report) => [report.reference, report.current].some((table) => table.dataset?.name === dataset.name || inside(table.file)));
}

/** The Datasets view: dataset -> versions (size, rows, age) -> the runs that used each; and drift reports. */
export class DatasetsTree implements vscode.TreeDataProvider<DatasetsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<DatasetsNode | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly dataWatchers: vscode.Disposable[] = [];
  private listings: Promise<FolderListing[]> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Each run's inputs as last seen, so only a change of what runs read refreshes the view. */
  private readonly inputSignatures = new Map<string, string>();
  private readonly stores: WorkspaceStores;
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(stores: WorkspaceStores) {
    this.stores = stores;
    this.subscriptions.push(
      stores.onDidChangeStores(() => this.refresh()),
      // Runs matter here only for the versions they read: metric appends of live runs must not re-read datasets.
      stores.onDidChangeRuns(({ store, change }) => {
        if (change.added.length > 0 || change.removed.length > 0 || change.updated.some((id) => this.inputsChanged(store, id))) this.refresh();
      }),
    );
  }

  private inputsChanged(store: FolderStore, runId: string): boolean {
    const key = `${store.folder.uri.toString()}\u0000${runId}`;
    const signature = JSON.stringify(store.findRun(runId)?.inputs ?? []);
    if (this.inputSignatures.get(key) === signature) return false;
    this.inputSignatures.set(key, signature);
    return signature !== '[]';
  }

  /** Reads everything again soon (changes come in bursts: a snapshot writes records and caches). */
  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.listings = undefined;
      this.changeEmitter.fire(undefined);
    }, REFRESH_DELAY_MS);
  }

  /** Every dataset of every folder (for pickers and commands). */
  async all(): Promise<Array<{ store: FolderStore; dataset: DatasetEntry }>> {
    return (await this.load()).flatMap((listing) => listing.datasets.map((dataset) => ({ store: listing.store, dataset })));
  }

  private load(): Promise<FolderListing[]> {
    this.listings ??= this.read();
    return this.listings;
  }

  private async read(): Promise<FolderListing[]> {
    const stores = this.stores.withStore();
    const listings = await Promise.all(
      stores.map(async (store) => {
        const { datasets, problems } = await listDatasets(store.config);
        for (const problem of problems) log().warn(`${problem.path}:${problem.line}: ${problem.message}`);
        return { store, datasets, reports: listReports(store.config.storeDir).reports };
      }),
    );
    this.watchData(listings);
    return listings;
  }

  /** Watches each dataset's files, so "modified since vN" shows up without a refresh. */
  private watchData(listings: FolderListing[]): void {
    for (const watcher of this.dataWatchers.splice(0)) watcher.dispose();
    for (const { store, datasets } of listings) {
      const watchStore = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(store.config.storeDir), '{datasets/*.jsonl,drift/*.json}'));
      watchStore.onDidChange(() => this.refresh());
      watchStore.onDidCreate(() => this.refresh());
      watchStore.onDidDelete(() => this.refresh());
      this.dataWatchers.push(watchStore);
      for (const dataset of datasets) {
        if (!dataset.absolutePath || dataset.source !== 'mltrail') continue;
        const relative = path.relative(store.folder.uri.fsPath, dataset.absolutePath);
        if (relative.startsWith('..')) continue;
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(store.folder, `{${relative.split(path.sep).join('/')},${relative.split(path.sep).join('/')}/**}`), true, false, false);
        watcher.onDidChange(() => this.refresh());
        watcher.onDidDelete(() => this.refresh());
        this.dataWatchers.push(watcher);
      }
    }
  }

  async getChildren(node?: DatasetsNode): Promise<DatasetsNode[]> {
    if (!node) {
      const listings = await this.load();
      const roots: DatasetsNode[] = [];
      for (const { store, datasets, reports } of listings) {
        for (const dataset of datasets) roots.push({ kind: 'dataset', store, dataset, reports: reportsOf(dataset, reports) });
        const loose = reports.filter((report) => !datasets.some((dataset) => reportsOf(dataset, [report]).length > 0));
        if (loose.length > 0) roots.push({ kind: 'reports', store, reports: loose, label: 'Other Drift Reports' });
      }
      return roots;
    }
    switch (node.kind) {
      case 'dataset': {
        const runs = node.store.runs();
        const usedBy = (version: number) => runs.filter((run) => run.inputs?.some((input) => input.dataset === node.dataset.name && input.version === version));
        const versions: DatasetsNode[] = [...node.dataset.versions].reverse().map((record) => ({ kind: 'version', store: node.store, dataset: node.dataset, record, usedBy: usedBy(record.version) }));
        return node.reports.length > 0 ? [...versions, { kind: 'reports', store: node.store, reports: node.reports, label: 'Drift Reports' }] : versions;
      }
      case 'version':
        return node.usedBy.map((run) => ({ kind: 'usedBy', store: node.store, runId: run.id, runName: run.name }));
      case 'reports':
        return node.reports.map((report) => ({ kind: 'report', store: node.store, report }));
      default:
        return [];
    }
  }

  getTreeItem(node: DatasetsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'dataset':
        return this.datasetItem(node.dataset, node.reports.length);
      case 'version':
        return this.versionItem(node.dataset, node.record, node.usedBy.length);
      case 'usedBy': {
        const item = new vscode.TreeItem(node.runName, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('play-circle');
        item.description = 'used this version';
        item.contextValue = 'mltrail.datasetRun';
        item.command = { command: 'mltrail.openRun', title: 'Open Run', arguments: [{ kind: 'run', store: node.store, runId: node.runId }] };
        return item;
      }
      case 'reports': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.description = String(node.reports.length);
        item.accessibilityInformation = { label: `${node.label}, ${node.reports.length}` };
        return item;
      }
      case 'report': {
        const { report } = node;
        const name = (table: ReportSummary['reference']) => (table.dataset ? `${table.dataset.name}@v${table.dataset.version}` : path.basename(table.file));
        const item = new vscode.TreeItem(`${name(report.reference)} → ${name(report.current)}`, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(report.datasetDrift ? 'warning' : 'pass', new vscode.ThemeColor(report.datasetDrift ? 'list.warningForeground' : 'testing.iconPassed'));
        item.description = `${report.datasetDrift ? 'drift' : 'no drift'} in ${report.drifted} of ${report.compared} columns · ${formatRelativeTime(Date.parse(report.time), Date.now())}`;
        item.tooltip = `${report.reference.file} → ${report.current.file}\n${new Date(report.time).toLocaleString()}`;
        item.contextValue = 'mltrail.driftReport';
        item.accessibilityInformation = { label: `${item.label}, ${item.description}` };
        item.command = { command: 'mltrail.openDriftReport', title: 'Open Drift Report', arguments: [report.file] };
        return item;
      }
    }
  }

  private datasetItem(dataset: DatasetEntry, reports: number): vscode.TreeItem {
    const hasChildren = dataset.versions.length > 0 || reports > 0;
    const item = new vscode.TreeItem(dataset.name, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const latest = dataset.versions.at(-1);
    const parts = [latest ? `v${latest.version}` : 'no versions yet'];
    if (dataset.modified?.modified && latest) parts.push(`modified since v${latest.version}`);
    if (dataset.source === 'dvc') parts.push('DVC');
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon('database', dataset.modified?.modified ? new vscode.ThemeColor('list.warningForeground') : undefined);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(`${dataset.name}: ${dataset.path || '(no path)'}`);
    if (dataset.description) tooltip.appendText(`\n\n${dataset.description}`);
    if (dataset.modified) tooltip.appendText(`\n\n${dataset.modified.reason}`);
    if (dataset.dvc) tooltip.appendText(`\n\nTracked by DVC${dataset.dvc.hash ? `: ${dataset.dvc.hash}` : ''}`);
    item.tooltip = tooltip;
    item.contextValue = dataset.source === 'dvc' ? 'mltrail.dvcDataset' : dataset.declared ? 'mltrail.dataset' : 'mltrail.recordedDataset';
    item.accessibilityInformation = { label: `${dataset.name}, ${item.description}` };
    // VS Code keeps a row's collapsible state while its id stays: the first version must make a new row.
    item.id = `${dataset.absolutePath}\u0000${dataset.name}\u0000${hasChildren}`;
    return item;
  }

  private versionItem(dataset: DatasetEntry, record: DatasetRecord, used: number): vscode.TreeItem {
    const item = new vscode.TreeItem(`v${record.version}`, used > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const parts: string[] = [];
    if (record.size !== undefined) parts.push(formatSize(record.size));
    if (record.rows !== undefined) parts.push(`${record.rows.toLocaleString('en-US')} rows`);
    if (record.time !== undefined) parts.push(formatRelativeTime(record.time, Date.now()));
    if (used > 0) parts.push(`${used} run${used === 1 ? '' : 's'}`);
    item.description = parts.join(' · ');
    const onDisk = isOnDisk(dataset, record);
    item.iconPath = new vscode.ThemeIcon(onDisk ? 'circle-filled' : 'circle-outline');
    const tooltip = [`${dataset.name} v${record.version}${onDisk ? ' (on disk now)' : ''}`, record.hash, record.files !== undefined ? `${record.files} files` : '', record.columns ? `Columns: ${record.columns.map((column) => `${column.name} (${column.type})`).join(', ')}` : '', record.git?.commit ? `Git ${record.git.commit.slice(0, 10)}${record.git.branch ? ` on ${record.git.branch}` : ''}${record.git.dirty ? ' (uncommitted changes)' : ''}` : '', record.note ? `Note: ${record.note}` : ''];
    item.tooltip = tooltip.filter(Boolean).join('\n');
    item.contextValue = onDisk ? 'mltrail.datasetVersion.onDisk' : 'mltrail.datasetVersion';
    item.accessibilityInformation = { label: `v${record.version}, ${item.description}` };
    return item;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const watcher of this.dataWatchers) watcher.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }
}
