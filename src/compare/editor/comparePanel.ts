import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { put } from '../../platform/dictionary.ts';
import { renderWebviewHtml, webviewOptions } from '../../platform/editor/webviewHtml.ts';
import { log } from '../../platform/editor/log.ts';
import { mapInWorkers } from '../../platform/workerPool.ts';
import { encodeMetricSummary } from '../../runs/metricFold.ts';
import type { IndexChange } from '../../runs/runIndex.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import { seriesCacheDir } from '../../runs/seriesCache.ts';
import { METRICS_FILE } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { type CompareRunData, type CompareSettings, type FromCompare, type SeriesPayload, type ToCompare, type XAxis, isFromCompare, sanitizeSettings } from '../compareProtocol.ts';
import { type ReducedSeries, type SeriesQuery, type SeriesShape, performSeriesQuery, reduceSeries } from '../seriesQuery.ts';

export const COMPARE_VIEW_TYPE = 'mltrail.compare';

/** A compared run, by folder and id, as saved per workspace. */
export interface RunRef {
  folder: string;
  id: string;
}

const RUNS_KEY = 'mltrail.compare.runs';
const SETTINGS_KEY = 'mltrail.compare.settings';
/** Each series is reduced to at most this many points; with many runs, fewer, so a chart stays quick to draw. */
const MAX_POINTS = 2000;
const MIN_POINTS_MANY_RUNS = 400;
const POINT_BUDGET_PER_CHART = 40_000;
/** Min/max bands are drawn for up to this many runs; past it they would hide the lines. */
const MAX_RUNS_WITH_BAND = 20;
/** Reading in the extension host is quicker than starting workers below this much data. */
const INLINE_MAX_BYTES = 4 * 1024 * 1024;
const LIVE_DELAY_MS = 150;

interface ComparedRun {
  key: string;
  store: FolderStore;
  id: string;
}

/** What a chart showed last: live appends go to charts of the full range, from the last step each run sent. */
interface ActiveChart {
  xAxis: XAxis;
  range: [number, number] | null;
  lastSteps: Map<string, number>;
}

export interface ComparePanelContext {
  extensionUri: vscode.Uri;
  stores: WorkspaceStores;
  memento: vscode.Memento;
  workerScript: string;
  openRun(store: FolderStore, runId: string): void;
  pickRuns(exclude: ReadonlySet<string>, placeHolder: string): Promise<RunRef[]>;
}

function keyOf(store: FolderStore, id: string): string {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${store.folder.name}:${id}` : id;
}

/**
 * The compare view: one panel per window. Runs and settings persist per workspace; the table gets whole rows as
 * runs change, charts get series reduced in the extension host (on worker threads when large), and running runs
 * append their new points only.
 */
export class ComparePanel implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panel: vscode.WebviewPanel | undefined;
  private readonly context: ComparePanelContext;
  private runs = new Map<string, ComparedRun>();
  private settings: CompareSettings;
  private ready = false;
  private readonly active = new Map<string, ActiveChart>();
  private readonly liveRuns = new Set<string>();
  /** Series requests are answered one at a time, in the order the charts asked: the first chart is not slowed by the rest. */
  private seriesQueue: Promise<void> = Promise.resolve();
  private liveTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private panelSubscriptions: vscode.Disposable[] = [];

  constructor(context: ComparePanelContext) {
    this.context = context;
    this.settings = sanitizeSettings(context.memento.get(SETTINGS_KEY));
    this.subscriptions.push(context.stores.onDidChangeRuns(({ store, change }) => this.onRunsChanged(store, change)));
  }

  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  /** Opens the view on these runs (replacing what it compared), or on the runs compared last time. */
  async show(refs?: RunRef[], baseline?: RunRef, keepSettings = false): Promise<void> {
    await this.context.stores.ensureLoaded();
    const chosen = refs ?? this.context.memento.get<RunRef[]>(RUNS_KEY, []);
    this.setRuns(chosen);
    if (baseline) this.settings = { ...this.settings, baseline: this.runKeyOf(baseline) ?? null };
    else if (refs && !keepSettings) this.settings = { ...this.settings, baseline: null, hiddenRuns: [] };
    await this.persist();
    this.prefetchFirstChart();
    if (this.panel) {
      this.panel.reveal();
      this.sendInit();
      return;
    }
    this.attach(vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare Runs', vscode.ViewColumn.Active, { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: false }));
  }

  async addRuns(refs: RunRef[]): Promise<void> {
    const current = [...this.runs.values()].map((run) => ({ folder: run.store.folder.uri.toString(), id: run.id }));
    await this.show([...current, ...refs], undefined, true);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    // A comparison opened before VS Code got round to restoring the old tab wins: one compare view per window.
    if (this.panel) {
      panel.dispose();
      return;
    }
    await this.context.stores.ensureLoaded();
    this.setRuns(this.context.memento.get<RunRef[]>(RUNS_KEY, []));
    this.prefetchFirstChart();
    this.attach(panel);
  }

  dispose(): void {
    clearTimeout(this.liveTimer);
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'mltrail.svg');
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, this.context.extensionUri, { title: 'Compare Runs', bundle: 'compare' });
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message)),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        for (const subscription of this.panelSubscriptions) subscription.dispose();
        this.panel = undefined;
        this.ready = false;
        this.active.clear();
      }),
    ];
    this.updateTitle();
  }

  private setRuns(refs: readonly RunRef[]): void {
    this.runs = new Map();
    for (const ref of refs) {
      const store = this.context.stores.get(ref.folder);
      if (!store?.findRun(ref.id)) continue;
      const key = keyOf(store, ref.id);
      if (!this.runs.has(key)) this.runs.set(key, { key, store, id: ref.id });
    }
    this.active.clear();
  }

  private runKeyOf(ref: RunRef): string | undefined {
    const store = this.context.stores.get(ref.folder);
    return store ? keyOf(store, ref.id) : undefined;
  }

  private async persist(): Promise<void> {
    const refs: RunRef[] = [...this.runs.values()].map((run) => ({ folder: run.store.folder.uri.toString(), id: run.id }));
    await this.context.memento.update(RUNS_KEY, refs);
    await this.context.memento.update(SETTINGS_KEY, this.settings);
  }

  private updateTitle(): void {
    if (this.panel) this.panel.title = this.runs.size === 1 ? 'Compare: 1 run' : `Compare: ${this.runs.size.toLocaleString('en-US')} runs`;
  }

  private post(message: ToCompare): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private rowOf(run: ComparedRun): CompareRunData | undefined {
    const summary = run.store.findRun(run.id);
    return summary ? toRunData(run.key, summary) : undefined;
  }

  private sendInit(): void {
    this.active.clear();
    const rows = [...this.runs.values()].flatMap((run) => this.rowOf(run) ?? []);
    this.post({ type: 'init', runs: rows, settings: this.settings });
    this.updateTitle();
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isFromCompare(message)) {
      log().warn('compare view: ignored a message that is not part of its contract');
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      const text = `MLTrail: ${(error as Error).message}`;
      log().error(text);
      void vscode.window.showErrorMessage(text);
    }
  }

  private async handle(message: FromCompare): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendInit();
        return;
      case 'requestSeries':
        await this.queueSeriesWork(async () => {
          try {
            await this.sendSeries(message.requestId, message.metric, message.xAxis, message.range);
          } catch (error) {
            // The chart waits for this answer: it gets one, empty, and the user the reason.
            this.post({ type: 'series', requestId: message.requestId, metric: message.metric, xAxis: message.xAxis, range: message.range, series: [] });
            throw error;
          }
        });
        return;
      case 'releaseSeries':
        await this.queueSeriesWork(async () => {
          this.active.delete(message.metric);
        });
        return;
      case 'settings':
        this.settings = { ...this.settings, ...message.settings };
        await this.context.memento.update(SETTINGS_KEY, this.settings);
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(`$(check) Copied ${this.runs.size} runs as ${message.format === 'csv' ? 'CSV' : 'Markdown'}`, 3000);
        return;
      case 'exportPng':
        await this.exportPng(message.name, message.dataUrl);
        return;
      case 'openRun': {
        const run = this.runs.get(message.run);
        if (run) this.context.openRun(run.store, run.id);
        return;
      }
      case 'removeRun':
        if (!this.runs.delete(message.run)) return;
        await this.persist();
        this.post({ type: 'runs', upsert: [], removed: [message.run] });
        this.updateTitle();
        return;
      case 'addRuns': {
        const refs = await this.context.pickRuns(new Set([...this.runs.values()].map((run) => `${run.store.folder.uri.toString()}\u0000${run.id}`)), 'Runs to add to the comparison');
        if (refs.length > 0) await this.addRuns(refs);
        return;
      }
    }
  }

  private prefetched: { metric: string; xAxis: XAxis; runs: ReadonlyMap<string, ComparedRun>; results: Promise<ReducedSeries[]> } | undefined;

  /** Series work (answers, live appends, releases) runs one piece at a time, in order. */
  private queueSeriesWork(work: () => Promise<void>): Promise<void> {
    const done = this.seriesQueue.then(work);
    this.seriesQueue = done.catch(() => undefined);
    return done;
  }

  private maxPoints(runCount: number): number {
    return Math.max(MIN_POINTS_MANY_RUNS, Math.min(MAX_POINTS, Math.floor(POINT_BUDGET_PER_CHART / Math.max(1, runCount))));
  }

  private async sendSeries(requestId: number, metric: string, xAxis: XAxis, range: [number, number] | null): Promise<void> {
    const started = performance.now();
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    const fromPrefetch = prefetched && prefetched.metric === metric && prefetched.xAxis === xAxis && range === null && prefetched.runs === this.runs;
    const results = await (fromPrefetch ? prefetched.results : this.reduceMetric(metric, xAxis, range));
    const withBands = results.length <= MAX_RUNS_WITH_BAND;
    const series: SeriesPayload[] = results.map(({ payload }) => {
      if (withBands || !payload.band) return payload;
      const { band: _band, ...rest } = payload;
      return rest;
    });
    this.active.set(metric, { xAxis, range, lastSteps: new Map(results.map((result) => [result.payload.run, result.lastStep])) });
    this.post({ type: 'series', requestId, metric, xAxis, range, series });
    const points = series.reduce((sum, item) => sum + item.total, 0);
    log().info(`compare: ${metric} for ${series.length} runs (${points.toLocaleString('en-US')} points) in ${Math.round(performance.now() - started)} ms${fromPrefetch ? ' (read while the view loaded)' : ''}`);
  }

  /**
   * The first chart's series are read while the webview loads (half a second that would otherwise be idle): the
   * first metric in column order, on the saved x-axis, whole range.
   */
  private prefetchFirstChart(): void {
    const metric = [...this.runs.values()].flatMap((run) => Object.keys(run.store.findRun(run.id)?.metrics ?? {}))[0];
    if (metric === undefined) return;
    const results = this.reduceMetric(metric, this.settings.xAxis, null);
    results.catch(() => undefined);
    this.prefetched = { metric, xAxis: this.settings.xAxis, runs: this.runs, results };
  }

  private async reduceMetric(metric: string, xAxis: XAxis, range: [number, number] | null): Promise<ReducedSeries[]> {
    const withMetric = [...this.runs.values()].flatMap((run) => {
      const summary = run.store.findRun(run.id);
      return summary && Object.hasOwn(summary.metrics, metric) ? [{ run, summary }] : [];
    });
    const shape = (summary: RunSummary): SeriesShape => ({ xAxis, range, maxPoints: this.maxPoints(withMetric.length), ...(summary.startTime !== undefined ? { startTime: summary.startTime } : {}) });
    const queries: SeriesQuery[] = withMetric
      .filter(({ summary }) => !summary.source)
      .map(({ run, summary }) => ({ ...shape(summary), run: run.key, runDir: run.store.index.runDir(run.id), cacheDir: seriesCacheDir(run.store.config.storeDir, run.id), metric }));
    const [ownResults, externalResults] = await Promise.all([
      this.runQueries(queries),
      Promise.all(
        withMetric
          .filter(({ summary }) => summary.source)
          .map(async ({ run, summary }) => {
            const series = await run.store.readExternalSeries(run.id, metric);
            return series ? reduceSeries(run.key, series, shape(summary)) : null;
          }),
      ),
    ]);
    return [...ownResults, ...externalResults].filter((result): result is ReducedSeries => result !== null);
  }

  /** Reads on worker threads when there is much to read, on this thread otherwise. */
  private async runQueries(queries: SeriesQuery[]): Promise<(ReducedSeries | null)[]> {
    const sizes = new Map(queries.map((query) => [query, fs.statSync(path.join(query.runDir, METRICS_FILE), { throwIfNoEntry: false })?.size ?? 0]));
    const bytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    if (bytes <= INLINE_MAX_BYTES) return queries.map(performSeriesQuery);
    const workers = Math.max(1, Math.min(4, os.availableParallelism(), queries.length));
    return mapInWorkers<SeriesQuery, ReducedSeries | null>(this.context.workerScript, 'series', queries, { workers, weight: (query) => sizes.get(query) ?? 0 });
  }

  private onRunsChanged(store: FolderStore, change: IndexChange): void {
    if (!this.panel) return;
    const upsert: CompareRunData[] = [];
    const removed: string[] = [];
    for (const id of change.removed) {
      const key = keyOf(store, id);
      if (this.runs.get(key)?.store !== store) continue;
      this.runs.delete(key);
      removed.push(key);
    }
    for (const id of [...change.updated, ...change.added]) {
      const run = this.runs.get(keyOf(store, id));
      if (!run || run.store !== store) continue;
      const row = this.rowOf(run);
      if (row) upsert.push(row);
      this.liveRuns.add(run.key);
    }
    if (upsert.length + removed.length === 0) return;
    if (removed.length > 0) {
      void this.persist();
      this.updateTitle();
    }
    this.post({ type: 'runs', upsert, removed });
    this.liveTimer ??= setTimeout(() => {
      this.liveTimer = undefined;
      void this.queueSeriesWork(async () => this.appendLivePoints());
    }, LIVE_DELAY_MS);
  }

  /** New points of runs that changed, for every chart showing its full range: only the points after the last sent. */
  private appendLivePoints(): void {
    const keys = [...this.liveRuns];
    this.liveRuns.clear();
    for (const [metric, chart] of this.active) {
      if (chart.range) continue;
      const points: Array<{ run: string; x: number[]; y: number[] }> = [];
      for (const key of keys) {
        const run = this.runs.get(key);
        const summary = run?.store.findRun(run.id);
        if (!run || !summary || summary.source || !Object.hasOwn(summary.metrics, metric)) continue;
        const afterStep = chart.lastSteps.get(key) ?? -Infinity;
        const result = performSeriesQuery({
          run: key,
          runDir: run.store.index.runDir(run.id),
          cacheDir: seriesCacheDir(run.store.config.storeDir, run.id),
          metric,
          xAxis: chart.xAxis,
          range: null,
          maxPoints: MAX_POINTS,
          afterStep,
          ...(summary.startTime !== undefined ? { startTime: summary.startTime } : {}),
        });
        if (!result) continue;
        chart.lastSteps.set(key, result.lastStep);
        if (result.payload.x.length > 0) points.push({ run: key, x: result.payload.x, y: result.payload.y });
      }
      if (points.length > 0) this.post({ type: 'append', metric, xAxis: chart.xAxis, points });
    }
  }

  private async exportPng(name: string, dataUrl: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const fileName = `${name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'chart'}.png`;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined, filters: { 'PNG image': ['png'] }, title: 'Export Chart as PNG' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
    this.post({ type: 'exported', path: target.fsPath });
    vscode.window.setStatusBarMessage(`$(check) Saved ${path.basename(target.fsPath)}`, 4000);
  }
}

export function toRunData(key: string, run: RunSummary): CompareRunData {
  const metrics: CompareRunData['metrics'] = {};
  for (const [name, summary] of Object.entries(run.metrics)) put(metrics, name, encodeMetricSummary(summary));
  const data: CompareRunData = { key, id: run.id, name: run.name, experiment: run.experiment, status: run.status, params: run.params, metrics };
  if (run.source) data.source = run.source;
  if (run.startTime !== undefined) data.startTime = run.startTime;
  if (run.endTime !== undefined) data.endTime = run.endTime;
  return data;
}
