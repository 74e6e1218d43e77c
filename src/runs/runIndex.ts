import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileCursor } from '../platform/jsonlCursor.ts';
import { isProcessAlive } from '../platform/processLiveness.ts';
import { STAT_FIELDS, type StatTable, statInWorker } from '../platform/parallelStat.ts';
import { mapInWorkers } from '../platform/workerPool.ts';
import { isValidRunId, runsDir } from '../store/layout.ts';
import { readIndexCache, writeIndexCache } from './indexCache.ts';
import { type FileStat, type RunFileStats, type RunReadTask, performRunRead, runFilePaths, statRunFiles } from './runReadTask.ts';
import { type LineProblem, type RunEntry, readRun } from './runReader.ts';
import { type LivenessCheck, type RunSummary, summarizeRun } from './runSummary.ts';

export interface RunIndexOptions {
  storeDir: string;
  /** Keep per-run summaries and read offsets in `<store>/cache/` between sessions (default true). */
  useCache?: boolean;
  /** Script of `runsWorker.ts` (bundled or not). Without it, bulk reads run on the calling thread. */
  workerScript?: string | URL;
  maxWorkers?: number;
  liveness?: LivenessCheck;
}

export interface IndexChange {
  added: string[];
  updated: string[];
  removed: string[];
}

export interface StoreProblem extends LineProblem {
  runId: string;
  /** Absolute path of the file the problem is in. */
  path: string;
}

/** Below these, reading on the calling thread is quicker than starting workers. */
const INLINE_MAX_RUNS = 64;
const INLINE_MAX_BYTES = 8 * 1024 * 1024;

/** From this many runs on, a scan stats files on a worker thread while this thread parses the cache. */
const PARALLEL_STAT_MIN_RUNS = 1000;

function toRunFileStats(table: StatTable): RunFileStats[] {
  const stat = (offset: number): FileStat | 0 => (table[offset] as number) < 0 ? 0 : [table[offset] as number, table[offset + 1] as number, table[offset + 2] as number];
  const result: RunFileStats[] = [];
  for (let offset = 0; offset < table.length; offset += 2 * STAT_FIELDS) result.push([stat(offset), stat(offset + STAT_FIELDS)]);
  return result;
}

function sameFile(stat: FileStat | 0, cursor: FileCursor | undefined): boolean {
  if (stat === 0 || !cursor) return stat === 0 && !cursor;
  return stat[0] === cursor.size && stat[1] === cursor.mtimeMs && stat[2] === cursor.ino;
}

function unreadBytes(stat: FileStat | 0, cursor: FileCursor | undefined): number {
  if (stat === 0) return 0;
  const [size, , ino] = stat;
  return cursor && ino === cursor.ino && size >= cursor.offset ? size - cursor.offset : size;
}

function isEmpty(change: IndexChange): boolean {
  return change.added.length === 0 && change.updated.length === 0 && change.removed.length === 0;
}

/**
 * The runs of one store, kept current incrementally: a full scan only stats files and reads what grew since the
 * last scan (or since the cache was written); `refresh` re-reads named runs from their last offsets.
 */
export class RunIndex {
  readonly storeDir: string;
  private readonly runsDir: string;
  private readonly useCache: boolean;
  private readonly workerScript: string | URL | undefined;
  private readonly maxWorkers: number;
  private readonly liveness: LivenessCheck;
  private entries = new Map<string, RunEntry>();
  private readonly summaries = new Map<string, RunSummary>();
  private readonly listeners = new Set<(change: IndexChange) => void>();
  private loaded = false;
  private cacheDirty = false;
  private pendingLoad: Promise<IndexChange> | undefined;

  constructor(options: RunIndexOptions) {
    this.storeDir = options.storeDir;
    this.runsDir = runsDir(options.storeDir);
    this.useCache = options.useCache ?? true;
    this.workerScript = options.workerScript;
    this.maxWorkers = options.maxWorkers ?? Math.max(1, Math.min(4, os.availableParallelism()));
    this.liveness = options.liveness ?? { hostname: os.hostname(), isAlive: isProcessAlive };
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  onDidChange(listener: (change: IndexChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Scans the whole store. Concurrent calls share one scan. The first scan reports every run as added. */
  load(): Promise<IndexChange> {
    this.pendingLoad ??= this.scan().finally(() => {
      this.pendingLoad = undefined;
    });
    return this.pendingLoad;
  }

  /** Re-reads the named runs on this thread, from where the last read stopped: for live updates. */
  refresh(ids: Iterable<string>): IndexChange {
    const change: IndexChange = { added: [], updated: [], removed: [] };
    for (const id of new Set(ids)) {
      if (!isValidRunId(id)) continue;
      const previous = this.entries.get(id);
      const entry = readRun(path.join(this.runsDir, id), id, previous);
      this.apply(id, previous, entry ?? undefined, change);
    }
    this.emit(change);
    return change;
  }

  list(): RunSummary[] {
    return Array.from(this.summaries.values());
  }

  get(id: string): RunSummary | undefined {
    return this.summaries.get(id);
  }

  /** Size of a run's metrics.jsonl when it was last read (0 when it has none). */
  metricsBytes(id: string): number {
    return this.entries.get(id)?.metricsFile?.size ?? 0;
  }

  runDir(id: string): string {
    return path.join(this.runsDir, id);
  }

  problems(id?: string): StoreProblem[] {
    const entries = id === undefined ? this.entries.values() : [this.entries.get(id)].filter((entry) => entry !== undefined);
    const problems: StoreProblem[] = [];
    for (const entry of entries) {
      for (const problem of entry.problems) problems.push({ ...problem, runId: entry.id, path: path.join(this.runsDir, entry.id, problem.file) });
    }
    return problems;
  }

  /** Re-evaluates runs without an end record; returns the ids whose status changed (running <-> lost). */
  checkLiveness(): string[] {
    const changed: string[] = [];
    for (const [id, summary] of this.summaries) {
      if (summary.status !== 'running' && summary.status !== 'lost') continue;
      const entry = this.entries.get(id);
      if (!entry) continue;
      const next = summarizeRun(entry, this.liveness);
      if (next.status !== summary.status) {
        this.summaries.set(id, next);
        changed.push(id);
      }
    }
    this.emit({ added: [], updated: changed, removed: [] });
    return changed;
  }

  /** Writes the cache when something changed since it was last written; a read-only store is not an error. */
  async saveCache(): Promise<boolean> {
    if (!this.useCache || !this.cacheDirty) return false;
    this.cacheDirty = false;
    try {
      await writeIndexCache(this.storeDir, this.entries.values());
      return true;
    } catch {
      return false;
    }
  }

  private async scan(): Promise<IndexChange> {
    const firstLoad = !this.loaded;
    const ids = this.listRunDirs();
    const dirs = ids.map((id) => `${this.runsDir}${path.sep}${id}`);
    // A large store is stat'ed on another thread while this one parses the cache: the two take about as long.
    const parallelStats = this.maxWorkers >= 2 && ids.length >= PARALLEL_STAT_MIN_RUNS ? statInWorker(dirs.flatMap((dir) => runFilePaths(dir))) : undefined;
    if (firstLoad && this.useCache) this.entries = readIndexCache(this.storeDir);
    const stats = parallelStats ? toRunFileStats(await parallelStats) : dirs.map(statRunFiles);
    const change: IndexChange = { added: [], updated: [], removed: [] };
    const tasks: RunReadTask[] = [];
    const present = new Set<string>();
    for (let position = 0; position < ids.length; position++) {
      const id = ids[position] as string;
      const dir = dirs[position] as string;
      const [runStat, metricsStat] = stats[position] as RunFileStats;
      if (runStat === 0 && metricsStat === 0) continue;
      present.add(id);
      const previous = this.entries.get(id);
      if (previous && sameFile(runStat, previous.runFile) && sameFile(metricsStat, previous.metricsFile)) {
        if (firstLoad) {
          this.summaries.set(id, summarizeRun(previous, this.liveness));
          change.added.push(id);
        }
        continue;
      }
      const task: RunReadTask = { id, dir, bytes: unreadBytes(runStat, previous?.runFile) + unreadBytes(metricsStat, previous?.metricsFile) };
      if (previous) task.previous = previous;
      tasks.push(task);
    }
    for (const id of this.entries.keys()) {
      if (present.has(id)) continue;
      if (firstLoad) this.entries.delete(id);
      else this.apply(id, this.entries.get(id), undefined, change);
    }
    const results = await this.readAll(tasks);
    tasks.forEach((task, position) => {
      // A refresh that ran while the workers read has newer data for this run: it stands.
      if (this.entries.get(task.id) !== task.previous) return;
      // On a first load, entries from the cache are not yet known to listeners: report them as added.
      this.apply(task.id, firstLoad ? undefined : task.previous, results[position] ?? undefined, change);
    });
    this.loaded = true;
    if (firstLoad || !isEmpty(change)) this.emit(change, firstLoad);
    return change;
  }

  private listRunDirs(): string[] {
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(this.runsDir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return dirents.filter((dirent) => (dirent.isDirectory() || dirent.isSymbolicLink()) && isValidRunId(dirent.name)).map((dirent) => dirent.name);
  }

  private async readAll(tasks: RunReadTask[]): Promise<(RunEntry | null)[]> {
    const bytes = tasks.reduce((sum, task) => sum + task.bytes, 0);
    if (!this.workerScript || this.maxWorkers < 2 || (tasks.length <= INLINE_MAX_RUNS && bytes <= INLINE_MAX_BYTES)) {
      return tasks.map(performRunRead);
    }
    return mapInWorkers<RunReadTask, RunEntry | null>(this.workerScript, 'read', tasks, { workers: this.maxWorkers, weight: (task) => task.bytes + 512 });
  }

  private apply(id: string, previous: RunEntry | undefined, entry: RunEntry | undefined, change: IndexChange): void {
    if (!entry) {
      if (this.entries.delete(id)) {
        this.summaries.delete(id);
        change.removed.push(id);
        this.cacheDirty = true;
      }
      return;
    }
    if (previous && entry.runFile === previous.runFile && entry.metricsFile === previous.metricsFile) return;
    this.entries.set(id, entry);
    this.summaries.set(id, summarizeRun(entry, this.liveness));
    (previous ? change.updated : change.added).push(id);
    this.cacheDirty = true;
  }

  private emit(change: IndexChange, force = false): void {
    if (!force && isEmpty(change)) return;
    for (const listener of this.listeners) listener(change);
  }
}
