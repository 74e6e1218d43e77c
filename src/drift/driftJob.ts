import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ColumnDetail } from './columnDetail.ts';
import type { ColumnComparison } from './compareColumn.ts';
import { type DriftOptions, columnOptionsFor, planColumns, summarizeDrift } from './datasetDrift.ts';
import { type OverTimeRequest, type PreparedTable, compareOne, overTimeOf, prepareFile } from './driftTasks.ts';
import type { DriftWorkerReply, DriftWorkerRequest } from './driftWorker.ts';
import type { ChunkWindow, DriftOverTime } from './overTime.ts';
import type { PreparedColumn } from './preparedColumn.ts';
import type { DriftJobResult, TableSummary } from './reportModel.ts';

export type { DriftJobResult, TableSummary } from './reportModel.ts';

export interface DriftJobInput {
  reference: string;
  current: string;
  options?: DriftOptions;
  /** Chunk the current data and test each chunk against the reference, besides the whole comparison. */
  overTime?: { window: ChunkWindow; timeColumn?: string; baseline?: 'threshold' | 'chunks' };
  /** Compute the drill-down of every column (what the report view draws). */
  details?: boolean;
}

export interface DriftJobEvents {
  /** Both tables are read and prepared; `columns` are about to be compared. */
  onTables?(reference: TableSummary, current: TableSummary, columns: string[]): void;
  /** A column finished (before any correction across columns is applied). */
  onColumn?(name: string, comparison: ColumnComparison): void;
  onOverTime?(): void;
}

export interface DriftJobContext {
  /** dist/workers/drift.js or src/drift/driftWorker.ts; without one, everything runs on the calling thread. */
  workerScript?: string | URL;
  /** Worker threads to use; 2 by default (one per table), never more than the machine's cores. */
  workers?: number;
  signal?: AbortSignal;
  events?: DriftJobEvents;
}

const MAX_PROBLEMS_KEPT = 50;

/** Runs requests on worker threads, each worker one request at a time. Terminated as a whole. */
class DriftWorkers {
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private failure?: Error;

  constructor(script: string | URL, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(script);
      worker.on('message', (reply: DriftWorkerReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.fail(new Error(`the drift worker stopped: ${error.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`the drift worker exited with code ${code}${code === 134 || code === 137 ? ' (out of memory?)' : ''}`));
      });
      return worker;
    });
    this.idle = [...this.workers];
  }

  async run<T>(request: DriftWorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never): Promise<T> {
    const worker = await this.acquire();
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private acquire(): Promise<Worker> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private settle(worker: Worker, reply: DriftWorkerReply): void {
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
    if (!pending) return;
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(reply.error));
  }

  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    void this.terminate();
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

interface Runner {
  abort?(error: Error): void;
  prepare(file: string, wanted: readonly string[] | undefined): Promise<PreparedTable>;
  compare(reference: PreparedColumn, current: PreparedColumn, name: string, options: DriftOptions, details: boolean): Promise<ColumnComparison>;
  overTime(request: OverTimeRequest): Promise<DriftOverTime>;
  close(): Promise<void>;
}

function inlineRunner(): Runner {
  // Yields between steps so a caller on the same thread can still cancel.
  const pause = () => new Promise((resolve) => setImmediate(resolve));
  return {
    prepare: async (file, wanted) => {
      await pause();
      return prepareFile(file, wanted);
    },
    compare: async (reference, current, name, options, details) => {
      await pause();
      return compareOne(reference, current, columnOptionsFor(name, options, details));
    },
    overTime: (request) => overTimeOf(request),
    close: async () => {},
  };
}

function workerRunner(script: string | URL, count: number): Runner {
  const workers = new DriftWorkers(script, count);
  return {
    prepare: (file, wanted) => workers.run({ task: 'prepare', file, ...(wanted ? { wanted: [...wanted] } : {}) }),
    compare: (reference, current, name, options, details) => workers.run({ task: 'compare', reference, current, options: columnOptionsFor(name, options, details) }),
    overTime: (request) => workers.run({ task: 'overTime', request }),
    close: () => workers.terminate(),
    abort: (error) => workers.fail(error),
  };
}

function summary(table: PreparedTable): TableSummary {
  return { file: table.file, rows: table.rows, columns: table.names.length, problems: table.problems.slice(0, MAX_PROBLEMS_KEPT) };
}

function abortError(): Error {
  return Object.assign(new Error('The drift check was cancelled.'), { name: 'AbortError' });
}

/**
 * Compares two data files for drift: each table is read and prepared on its own worker, then the columns are
 * compared on every worker in turn, each result reported as it comes; corrections and the dataset verdict come last.
 */
export async function runDriftJob(input: DriftJobInput, context: DriftJobContext = {}): Promise<DriftJobResult> {
  const { signal, events } = context;
  if (signal?.aborted) throw abortError();
  const options: DriftOptions = { ...(input.options ?? {}) };
  const timeColumn = input.overTime?.timeColumn;
  const count = Math.max(1, Math.min(context.workers ?? 2, os.availableParallelism()));
  const runner = context.workerScript ? workerRunner(context.workerScript, count) : inlineRunner();
  const onAbort = () => runner.abort?.(abortError());
  signal?.addEventListener('abort', onAbort, { once: true });
  const check = () => {
    if (signal?.aborted) throw abortError();
  };
  try {
    const wanted = options.only;
    const [reference, current] = await Promise.all([runner.prepare(input.reference, wanted), runner.prepare(input.current, wanted)]);
    check();
    // The time column orders the rows; it is not a feature to compare.
    const names = (table: PreparedTable) => table.names.filter((name) => name !== timeColumn);
    const plan = planColumns(names(reference), names(current), options);
    events?.onTables?.(summary(reference), summary(current), plan.compared);
    const referenceByName = new Map(reference.columns.map((column) => [column.name, column]));
    const currentByName = new Map(current.columns.map((column) => [column.name, column]));
    const comparisons = new Map<string, ColumnComparison>();
    const details: Record<string, ColumnDetail> = {};
    // Biggest first, so no worker is left with one long column at the end.
    const order = [...plan.compared].sort((a, b) => weight(referenceByName.get(b)) + weight(currentByName.get(b)) - weight(referenceByName.get(a)) - weight(currentByName.get(a)));
    await Promise.all(
      order.map(async (name) => {
        const comparison = await runner.compare(referenceByName.get(name) as PreparedColumn, currentByName.get(name) as PreparedColumn, name, options, input.details ?? false);
        check();
        comparisons.set(name, comparison);
        if ('detail' in comparison && comparison.detail) details[name] = comparison.detail;
        events?.onColumn?.(name, comparison);
      }),
    );
    const drift = summarizeDrift(plan, comparisons, options);
    const result: DriftJobResult = { reference: summary(reference), current: summary(current), drift, details };
    if (input.overTime) {
      events?.onOverTime?.();
      const overTimeOptions = { ...options, ...(timeColumn !== undefined ? { timeColumn } : {}), baseline: input.overTime.baseline ?? 'threshold' };
      result.overTime = await runner.overTime({ reference: input.reference, current: input.current, window: input.overTime.window, options: overTimeOptions });
      check();
    }
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await runner.close();
  }
}

function weight(column: PreparedColumn | undefined): number {
  if (!column) return 0;
  return column.kind === 'numeric' ? column.sorted.length : column.categories.length;
}
