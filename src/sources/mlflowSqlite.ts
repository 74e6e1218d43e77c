import fs from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { get, put } from '../platform/dictionary.ts';
import { mapInWorkers } from '../platform/workerPool.ts';
import type { MetricSummary } from '../runs/metricFold.ts';
import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunStatus } from '../runs/records.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import type { ExternalSource, SourceLocation, SourceProblem, SourceSnapshot } from './externalSource.ts';
import { MLFLOW_RUN_ID_PREFIX, RUN_NAME_TAG, gitFromTags } from './mlflowTags.ts';
import { PointColumns, toSeries } from './pointColumns.ts';
import { describeError } from './sourceProblems.ts';
import { loadSqlite, sqliteMissingMessage } from './sqliteModule.ts';
import { type WorkerOptions, workerCount } from './workerOptions.ts';

// An MLflow tracking database (`mlflow.db`, the default backend since MLflow 3.7), read through node:sqlite,
// read-only. Tables and columns as MLflow's SQLAlchemy models define them (mlflow/store/tracking/dbmodels).

/** MLflow's RunStatus as its SQL store writes it, a name. */
const SQL_STATUSES: Record<string, RunStatus> = { RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'finished', FAILED: 'failed', KILLED: 'killed' };

/** How long to wait for MLflow to finish a write before reporting the database as locked. */
const BUSY_TIMEOUT_MS = 1000;

const MMAP_BYTES = 1 << 30;

type Row = Record<string, unknown>;

function openDatabase(databasePath: string): DatabaseSync | string {
  const sqlite = loadSqlite();
  if (!sqlite) return sqliteMissingMessage(databasePath);
  if (!fs.existsSync(databasePath)) return 'no MLflow database here (the file does not exist)';
  const database = new sqlite.DatabaseSync(databasePath, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  // Reading through a memory map and sorting in memory make the aggregates about a quarter quicker.
  database.exec(`PRAGMA mmap_size = ${MMAP_BYTES}; PRAGMA temp_store = MEMORY;`);
  return database;
}

/** What one worker reads: share number `part` of `parts` equal shares of the runs, in run uuid order. */
export interface MlflowSqlitePart {
  databasePath: string;
  part: number;
  parts: number;
}

/**
 * The runs of one part of a database, every run that is not deleted in an experiment that is not, summarized by
 * SQL. Never throws: what fails is a problem.
 */
export function loadMlflowSqlitePart({ databasePath, part, parts }: MlflowSqlitePart): SourceSnapshot {
  let database: DatabaseSync | string | undefined;
  try {
    database = openDatabase(databasePath);
    if (typeof database === 'string') return { runs: [], problems: [{ path: databasePath, message: database }] };
    const reader = new RunReader(database, databasePath);
    const rows = reader.listRuns();
    const share = rows.slice(Math.floor((rows.length * part) / parts), Math.floor((rows.length * (part + 1)) / parts));
    return { runs: share.map((row) => reader.readRun(row)), problems: reader.problems };
  } catch (error) {
    return { runs: [], problems: [{ path: databasePath, message: `cannot read this MLflow database: ${describeError(error)}` }] };
  } finally {
    if (typeof database === 'object') database.close();
  }
}

/** Reads runs one at a time: small sorts per run are much quicker than one over the whole metrics table. */
class RunReader {
  readonly problems: SourceProblem[] = [];
  private readonly database: DatabaseSync;
  private readonly databasePath: string;
  private readonly params: StatementSync;
  private readonly tags: StatementSync;
  private readonly aggregates: StatementSync;
  private readonly latest: StatementSync;
  private readonly latestOfOne: StatementSync;

  constructor(database: DatabaseSync, databasePath: string) {
    this.database = database;
    this.databasePath = databasePath;
    this.params = database.prepare('SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key');
    this.tags = database.prepare('SELECT key, value FROM tags WHERE run_uuid = ? ORDER BY key');
    this.aggregates = database.prepare(
      `SELECT key, MIN(CASE WHEN is_nan THEN NULL ELSE value END) AS min, MAX(CASE WHEN is_nan THEN NULL ELSE value END) AS max,
         COUNT(DISTINCT step) AS count
       FROM metrics WHERE run_uuid = ? GROUP BY key ORDER BY key`,
    );
    this.latest = database.prepare('SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ?');
    this.latestOfOne = database.prepare('SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step DESC, timestamp DESC, value DESC LIMIT 1');
  }

  /** In run uuid order, so every worker splits the same list. */
  listRuns(): Row[] {
    // r.*: the `name` column came in a later schema than the others.
    return this.database
      .prepare(
        `SELECT r.*, e.name AS experiment_name FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
         WHERE r.lifecycle_stage IS NOT 'deleted' AND e.lifecycle_stage IS NOT 'deleted' ORDER BY r.run_uuid`,
      )
      .all();
  }

  readRun(row: Row): RunSummary {
    const uuid = String(row.run_uuid);
    const tags = keyValues(this.tags.all(uuid));
    const run: RunSummary = {
      id: `${MLFLOW_RUN_ID_PREFIX}${uuid}`,
      experiment: String(row.experiment_name),
      name: (typeof row.name === 'string' && row.name) || (get(tags, RUN_NAME_TAG) as string | undefined) || uuid,
      status: this.statusOf(row),
      params: keyValues(this.params.all(uuid)),
      tags,
      metrics: this.metricSummaries(uuid),
      source: 'mlflow',
    };
    if (typeof row.start_time === 'number') run.startTime = row.start_time;
    if (typeof row.end_time === 'number') run.endTime = row.end_time;
    const git = gitFromTags(tags);
    if (git) run.git = git;
    return run;
  }

  /**
   * Min, max and distinct steps by aggregate over `metrics`; the last value from `latest_metrics`, which MLflow
   * keeps as the max by (step, timestamp, value), or from `metrics` where a row is missing there.
   */
  private metricSummaries(uuid: string): Record<string, MetricSummary> {
    const metrics: Record<string, MetricSummary> = {};
    for (const row of this.aggregates.all(uuid)) {
      put(metrics, String(row.key), { last: Number.NaN, step: 0, min: storedValue(row.min, 0), max: storedValue(row.max, 0), count: Number(row.count) });
    }
    const latest = new Map<string, Row>();
    for (const row of this.latest.all(uuid)) latest.set(String(row.key), row);
    for (const [key, summary] of Object.entries(metrics)) {
      const last = latest.get(key) ?? this.latestOfOne.get(uuid, key);
      if (!last) continue;
      summary.last = storedValue(last.value, last.is_nan);
      summary.step = Number(last.step);
      if (typeof last.timestamp === 'number') summary.lastTime = last.timestamp;
    }
    return metrics;
  }

  private statusOf(row: Row): RunStatus {
    const status = typeof row.status === 'string' ? get(SQL_STATUSES, row.status) : undefined;
    if (status) return status;
    const assumed = typeof row.end_time === 'number' ? 'finished' : 'running';
    this.problems.push({ path: this.databasePath, message: `run ${String(row.run_uuid)} has an unknown status ${JSON.stringify(row.status)}; shown as ${assumed}` });
    return assumed;
  }
}

function keyValues(rows: Row[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const row of rows) put<unknown>(values, String(row.key), row.value === null ? '' : String(row.value));
  return values;
}

/**
 * A metric value as MLflow's SQL store keeps it: NaN as 0 with is_nan set, and the infinities as the largest
 * finite doubles (SQL cannot hold them), which are turned back into infinities here. NULL (no value) is NaN.
 */
function storedValue(value: unknown, isNan: unknown): number {
  if (isNan || value === null || value === undefined) return Number.NaN;
  const number = Number(value);
  if (number === Number.MAX_VALUE) return Infinity;
  if (number === -Number.MAX_VALUE) return -Infinity;
  return number;
}

/** Every point of one metric of one run; undefined when there are none (or the database cannot be read). */
function querySeries(databasePath: string, runId: string, metric: string): MetricSeries | undefined {
  if (!runId.startsWith(MLFLOW_RUN_ID_PREFIX)) return undefined;
  let database: DatabaseSync | string | undefined;
  try {
    database = openDatabase(databasePath);
    if (typeof database === 'string') return undefined;
    const points = new PointColumns();
    const rows = database.prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value');
    for (const row of rows.iterate(runId.slice(MLFLOW_RUN_ID_PREFIX.length), metric)) {
      points.push(Number(row.step), storedValue(row.value, row.is_nan), row.timestamp === null ? Number.NaN : Number(row.timestamp));
    }
    return points.length === 0 ? undefined : toSeries(points, 'latestTimestamp');
  } catch {
    return undefined;
  } finally {
    if (typeof database === 'object') database.close();
  }
}

/** An MLflow SQLite database, read in place; in worker threads when a script is given. */
export class MlflowSqliteSource implements ExternalSource {
  readonly location: SourceLocation;
  private readonly workers: WorkerOptions;

  constructor(location: SourceLocation, workers: WorkerOptions = {}) {
    this.location = location;
    this.workers = workers;
  }

  /** With a worker script, each worker reads a share of the runs, so the extension host never waits on SQLite. */
  async load(): Promise<SourceSnapshot> {
    const databasePath = this.location.path;
    const { workerScript } = this.workers;
    const parts = workerCount(this.workers);
    if (!workerScript || parts === 0) return loadMlflowSqlitePart({ databasePath, part: 0, parts: 1 });
    const tasks = Array.from({ length: parts }, (_, part) => ({ databasePath, part, parts }));
    const snapshots = await mapInWorkers<MlflowSqlitePart, SourceSnapshot>(workerScript, 'mlflowSqlitePart', tasks, { workers: parts });
    const problems = new Map<string, SourceProblem>();
    for (const snapshot of snapshots) for (const problem of snapshot.problems) problems.set(`${problem.path}\n${problem.message}`, problem);
    return { runs: snapshots.flatMap((snapshot) => snapshot.runs), problems: Array.from(problems.values()) };
  }

  async readSeries(runId: string, metric: string): Promise<MetricSeries | undefined> {
    return querySeries(this.location.path, runId, metric);
  }
}
