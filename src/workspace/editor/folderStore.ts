import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { MetricSeries } from '../../runs/metricSeries.ts';
import { type IndexChange, RunIndex } from '../../runs/runIndex.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import { detectSources } from '../../sources/detectSources.ts';
import { openSources } from '../../sources/openSources.ts';
import { ExternalRuns } from '../externalRuns.ts';
import { warmSeriesCaches } from '../../compare/seriesWarmup.ts';
import { type WorkspaceConfig, loadWorkspaceConfig } from '../../store/config.ts';
import { CONFIG_FILE, RUNS_DIR } from '../../store/layout.ts';
import { log } from '../../platform/editor/log.ts';

/** Live updates are batched: a run appending every few milliseconds is re-read at most this often. */
const REFRESH_DELAY_MS = 40;
const CACHE_SAVE_DELAY_MS = 5_000;
const TICK_INTERVAL_MS = 3_000;
/** Other trackers write many files per step: their changes are taken in at most this often. */
const SOURCE_RELOAD_DELAY_MS = 1_000;

export interface WorkerScripts {
  runs: string;
  sources: string;
  compare: string;
}

/**
 * One workspace folder's store: its mltrail.json, its run index, and the watchers that keep the index current.
 * Nothing is read until `ensureLoaded` is first called (when a view or command needs runs).
 */
export class FolderStore implements vscode.Disposable {
  readonly folder: vscode.WorkspaceFolder;
  private configuration: WorkspaceConfig;
  private runIndex: RunIndex;
  private external: ExternalRuns;
  private sourceWatchers: vscode.Disposable[] = [];
  private sourceTimer: NodeJS.Timeout | undefined;
  private shownSourceProblems = '[]';
  private loading: Promise<void> | undefined;
  private storeWatcher: vscode.Disposable | undefined;
  private readonly configWatcher: vscode.FileSystemWatcher;
  private readonly settingsListener: vscode.Disposable;
  private readonly pendingRuns = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private cacheTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private justLost: string[] = [];
  private runsDirMtime: number | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<IndexChange>();
  private readonly configEmitter = new vscode.EventEmitter<void>();
  private readonly workerScript: string;
  private readonly sourcesWorkerScript: string;
  private readonly compareWorkerScript: string;
  private unsubscribeIndex: () => void;

  /** Runs added, updated or removed, after the index has taken them in. */
  readonly onDidChangeRuns = this.changeEmitter.event;
  /** mltrail.json changed (and with it maybe the store location or the key metric). */
  readonly onDidChangeConfig = this.configEmitter.event;

  constructor(folder: vscode.WorkspaceFolder, workerScripts: WorkerScripts) {
    this.folder = folder;
    this.workerScript = workerScripts.runs;
    this.sourcesWorkerScript = workerScripts.sources;
    this.compareWorkerScript = workerScripts.compare;
    this.configuration = loadWorkspaceConfig(folder.uri.fsPath);
    this.runIndex = this.createIndex();
    this.external = this.createExternalRuns();
    this.unsubscribeIndex = this.runIndex.onDidChange((change) => this.changeEmitter.fire(change));
    this.configWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIG_FILE));
    const reloadConfig = () => this.reloadConfig();
    this.configWatcher.onDidCreate(reloadConfig);
    this.configWatcher.onDidChange(reloadConfig);
    this.configWatcher.onDidDelete(reloadConfig);
    this.settingsListener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mltrail.store.watch', folder) && this.isLoaded) this.watchStore();
    });
  }

  get config(): WorkspaceConfig {
    return this.configuration;
  }

  get index(): RunIndex {
    return this.runIndex;
  }

  /** Runs of other trackers (MLflow, DVCLive) found in this folder or named in mltrail.json. */
  get externalRuns(): ExternalRuns {
    return this.external;
  }

  /** A store exists when the folder has mltrail.json, the store directory, or another tracker's runs. */
  get hasStore(): boolean {
    return this.configuration.hasConfigFile || fs.existsSync(this.configuration.storeDir) || !this.external.isEmpty;
  }

  /** The store's own runs and the other trackers' runs. */
  runs(): RunSummary[] {
    const own = this.runIndex.list();
    return this.external.isEmpty ? own : [...own, ...this.external.list()];
  }

  findRun(id: string): RunSummary | undefined {
    return this.runIndex.get(id) ?? this.external.get(id);
  }

  readExternalSeries(id: string, metric: string): Promise<MetricSeries | undefined> {
    return this.external.readSeries(id, metric);
  }

  get isLoaded(): boolean {
    return this.runIndex.isLoaded;
  }

  /** Loads the store once. A failed load is reported and tried again by the next caller. */
  ensureLoaded(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      const message = `MLTrail could not read the store at ${this.configuration.storeDir}: ${(error as Error).message}`;
      log().error(message);
      void vscode.window.showErrorMessage(message);
    });
    return this.loading;
  }

  /** Scans the whole store again (the Refresh command, or after the store moved). */
  async rescan(): Promise<void> {
    // A store not loaded yet gets its first scan, not a first scan and then a second one.
    const alreadyLoading = this.loading !== undefined;
    await this.ensureLoaded();
    if (!alreadyLoading) return;
    await this.runIndex.load();
    this.scheduleCacheSave();
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.cacheTimer);
    clearInterval(this.tickTimer);
    clearTimeout(this.sourceTimer);
    this.storeWatcher?.dispose();
    for (const watcher of this.sourceWatchers) watcher.dispose();
    this.configWatcher.dispose();
    this.settingsListener.dispose();
    this.unsubscribeIndex();
    void this.runIndex.saveCache();
    this.changeEmitter.dispose();
    this.configEmitter.dispose();
  }

  private createIndex(): RunIndex {
    return new RunIndex({ storeDir: this.configuration.storeDir, workerScript: this.workerScript });
  }

  private createExternalRuns(): ExternalRuns {
    return new ExternalRuns(openSources(this.folder.uri.fsPath, this.configuration, { workerScript: this.sourcesWorkerScript }));
  }

  /** Reads the other trackers' runs again and tells listeners what changed. */
  private async reloadExternalRuns(): Promise<void> {
    const change = await this.external.load();
    const problems = JSON.stringify(this.external.problems());
    const problemsChanged = problems !== this.shownSourceProblems;
    this.shownSourceProblems = problems;
    if (problemsChanged) for (const problem of this.external.problems()) log().warn(`${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
    // Listeners (the Problems panel among them) hear of a reload that changed runs or problems.
    if (problemsChanged || change.added.length + change.updated.length + change.removed.length > 0) this.changeEmitter.fire(change);
  }

  private watchExternalSources(): void {
    for (const watcher of this.sourceWatchers) watcher.dispose();
    this.sourceWatchers = this.external.locations.map((location) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(location.path), '**'));
      const schedule = () => {
        this.sourceTimer ??= setTimeout(() => {
          this.sourceTimer = undefined;
          void this.reloadExternalRuns();
        }, SOURCE_RELOAD_DELAY_MS);
      };
      watcher.onDidCreate(schedule);
      watcher.onDidChange(schedule);
      watcher.onDidDelete(schedule);
      return watcher;
    });
  }

  private async load(): Promise<void> {
    this.watchStore();
    const started = performance.now();
    this.runsDirMtime = this.readRunsDirMtime();
    const [change] = await Promise.all([this.runIndex.load(), this.loadExternalRuns()]);
    log().info(`${this.folder.name}: indexed ${change.added.length} runs of ${this.configuration.storeDir} in ${Math.round(performance.now() - started)} ms`);
    this.scheduleCacheSave();
    this.warmSeries();
    this.tickTimer ??= setInterval(() => this.tick(), TICK_INTERVAL_MS);
    // Store events that came while the scan ran are applied now, on top of it.
    this.flushPendingRuns();
  }

  /** In the background: charts of runs with millions of points then read binary columns, not JSON lines. */
  private warmSeries(): void {
    const started = performance.now();
    const index = this.runIndex;
    void warmSeriesCaches(index, this.compareWorkerScript).then(
      (count) => {
        if (count > 0) log().info(`${this.folder.name}: series caches of ${count} large runs ready in ${Math.round(performance.now() - started)} ms`);
      },
      (error: unknown) => log().warn(`${this.folder.name}: could not build series caches (${(error as Error).message}); charts read metrics.jsonl instead`),
    );
  }

  private async loadExternalRuns(): Promise<void> {
    if (this.external.isEmpty) return;
    const started = performance.now();
    this.watchExternalSources();
    await this.reloadExternalRuns();
    log().info(`${this.folder.name}: read ${this.external.list().length} runs of ${this.external.locations.map((location) => location.path).join(', ')} in ${Math.round(performance.now() - started)} ms`);
  }

  /**
   * Every few seconds: runs whose process died become `lost`, and a run directory created or removed without a
   * watcher event (the file watcher takes a moment to start, and some file systems drop events) is caught by the
   * runs directory's own mtime.
   */
  private tick(): void {
    // File events can be lost (a run directory created just before the watcher covers it, a busy watcher): running
    // runs, and runs that turned lost on the last tick (their runner may have been writing the end record), are
    // re-read on each tick, which costs a stat of their two files when nothing changed.
    const reread = new Set([...this.runIndex.list().filter((run) => run.status === 'running').map((run) => run.id), ...this.justLost]);
    if (reread.size > 0) {
      for (const id of reread) this.pendingRuns.add(id);
      this.flushPendingRuns();
    }
    const changed = this.runIndex.checkLiveness();
    if (changed.length > 0) this.scheduleCacheSave();
    this.justLost = changed.filter((id) => this.runIndex.get(id)?.status === 'lost');
    const mtime = this.readRunsDirMtime();
    if (mtime !== this.runsDirMtime) {
      this.runsDirMtime = mtime;
      void this.rescan();
    }
  }

  private readRunsDirMtime(): number | undefined {
    return fs.statSync(path.join(this.configuration.storeDir, RUNS_DIR), { throwIfNoEntry: false })?.mtimeMs;
  }

  private watchStore(): void {
    this.storeWatcher?.dispose();
    this.storeWatcher = undefined;
    if (!vscode.workspace.getConfiguration('mltrail', this.folder).get<boolean>('store.watch', true)) return;
    const runsDir = path.join(this.configuration.storeDir, RUNS_DIR);
    log().debug(`watching ${runsDir}`);
    // Inside the folder, watch through the folder (VS Code's workspace watcher); a store elsewhere needs its own.
    const relativeStore = path.relative(this.folder.uri.fsPath, this.configuration.storeDir);
    const pattern = relativeStore && !relativeStore.startsWith('..') && !path.isAbsolute(relativeStore)
      ? new vscode.RelativePattern(this.folder, `${relativeStore.split(path.sep).join('/')}/${RUNS_DIR}/**`)
      : new vscode.RelativePattern(vscode.Uri.file(this.configuration.storeDir), `${RUNS_DIR}/**`);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const onEvent = (uri: vscode.Uri) => this.onStoreEvent(runsDir, uri.fsPath);
    watcher.onDidCreate(onEvent);
    watcher.onDidChange(onEvent);
    watcher.onDidDelete(onEvent);
    this.storeWatcher = watcher;
  }

  private onStoreEvent(runsDir: string, changedPath: string): void {
    log().trace(`store event ${changedPath}`);
    const relative = path.relative(runsDir, changedPath);
    const runId = relative.split(path.sep)[0];
    if (!runId || runId === '..' || path.isAbsolute(relative)) {
      // The runs directory itself came or went: only a full scan can tell what is there now.
      void this.rescan();
      return;
    }
    this.pendingRuns.add(runId);
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.flushPendingRuns();
    }, REFRESH_DELAY_MS);
  }

  /** Re-reads the runs that store events named; until the first scan is done they wait for it. */
  private flushPendingRuns(): void {
    if (!this.runIndex.isLoaded || this.pendingRuns.size === 0) return;
    const ids = [...this.pendingRuns];
    this.pendingRuns.clear();
    this.runIndex.refresh(ids);
    this.scheduleCacheSave();
  }

  private scheduleCacheSave(): void {
    clearTimeout(this.cacheTimer);
    this.cacheTimer = setTimeout(() => void this.runIndex.saveCache(), CACHE_SAVE_DELAY_MS);
  }

  private reloadConfig(): void {
    const previousStore = this.configuration.storeDir;
    this.configuration = loadWorkspaceConfig(this.folder.uri.fsPath);
    this.replaceExternalRuns();
    if (this.configuration.storeDir !== previousStore) {
      // Listeners hear of the old store's runs leaving while the old index still answers for them.
      const removed = this.runIndex.list().map((run) => run.id);
      if (removed.length > 0) this.changeEmitter.fire({ added: [], updated: [], removed });
      this.unsubscribeIndex();
      void this.runIndex.saveCache();
      this.pendingRuns.clear();
      this.runIndex = this.createIndex();
      this.unsubscribeIndex = this.runIndex.onDidChange((change) => this.changeEmitter.fire(change));
      if (this.loading) {
        this.loading = undefined;
        void this.ensureLoaded();
      }
    }
    this.configEmitter.fire();
  }

  /** mltrail.json may list other sources now: start over with the new set, telling listeners what left. */
  private replaceExternalRuns(): void {
    const locations = JSON.stringify(detectSources(this.folder.uri.fsPath, this.configuration.sources));
    if (locations === JSON.stringify(this.external.locations)) return;
    const removed = this.external.list().map((run) => run.id);
    if (removed.length > 0) this.changeEmitter.fire({ added: [], updated: [], removed });
    this.external = this.createExternalRuns();
    for (const watcher of this.sourceWatchers) watcher.dispose();
    this.sourceWatchers = [];
    if (this.loading) void this.loadExternalRuns();
  }
}
