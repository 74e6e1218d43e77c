import fs from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
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
import type { WorkerOptions } from './workerOptions.ts';

// An MLflow tracking database (`mlflow.db`, the default backend since MLflow 3.7), read through node:sqlite,
// read-only. Tables and columns as MLflow's SQLAlchemy models define them (mlflow/store/tracking/dbmodels).

/** MLflow's RunStatus as its SQL store writes it, a name. */
const SQL_STATUSES: Record<string, RunStatus> = { RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'finished', FAILED: 'failed', KILLED: 'killed' };

/** How long to wait for MLflow to finish a write before reporting the database as locked. */
const BUSY_TIMEOUT_MS = 1000;

type Row = Record<string, unknown>;

function openDatabase(databasePath: string): DatabaseSync | string {
  const sqlite = loadSqlite();
  if (!sqlite) return sqliteMissingMessage(databasePath);
  if (!fs.existsSync(databasePath)) return 'no MLflow database here (the file does not exist)';
  return new sqlite.DatabaseSync(databasePath, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
}

/** Every run of a database that is not deleted, summarized by SQL. Never throws: what fails is a problem. */
export function loadMlflowSqlite(databasePath: string): SourceSnapshot {
  let database: DatabaseSync | string | undefined;
  try {
    database = openDatabase(databasePath);
    if (typeof database === 'string') return { runs: [], problems: [{ path: databasePath, message: database }] };
    return readRuns(database, databasePath);
  } catch (error) {
    return { runs: [], problems: [{ path: databasePath, message: `cannot read this MLflow database: ${describeError(error)}` }] };
  } finally {
    if (typeof database === 'object') database.close();
  }
}

function readRuns(database: DatabaseSync, databasePath: string): SourceSnapshot {
  const problems: SourceProblem[] = [];
  const experiments = new Map<unknown, string>();
  for (const row of database.prepare("SELECT experiment_id, name FROM experiments WHERE lifecycle_stage IS NOT 'deleted'").all()) {
    experiments.set(row.experiment_id, String(row.name));
  }
  const runs = new Map<string, RunSummary>();
  // SELECT *: the `name` column came in a later schema than the others.
  for (const row of database.prepare("SELECT * FROM runs WHERE lifecycle_stage IS NOT 'deleted'").all()) {
    const experiment = experiments.get(row.experiment_id);
    if (experiment === undefined) continue;
    const uuid = String(row.run_uuid);
    const run: RunSummary = {
      id: `${MLFLOW_RUN_ID_PREFIX}${uuid}`,
      experiment,
      name: typeof row.name === 'string' ? row.name : '',
      status: statusOf(row, databasePath, problems),
      params: {},
      tags: {},
      metrics: {},
      source: 'mlflow',
    };
    if (typeof row.start_time === 'number') run.startTime = row.start_time;
    if (typeof row.end_time === 'number') run.endTime = row.end_time;
    runs.set(uuid, run);
  }
  for (const table of ['params', 'tags'] as const) {
    for (const row of database.prepare(`SELECT run_uuid, key, value FROM ${table}`).all()) {
      const run = runs.get(String(row.run_uuid));
      if (run) put<unknown>(run[table], String(row.key), row.value === null ? '' : String(row.value));
    }
  }
  addMetricSummaries(database, runs);
  for (const [uuid, run] of runs) {
    run.name ||= (get(run.tags, RUN_NAME_TAG) as string | undefined) || uuid;
    const git = gitFromTags(run.tags);
    if (git) run.git = git;
  }
  return { runs: Array.from(runs.values()), problems };
}

/** Min, max and distinct steps by aggregate over `metrics`; the last value from `latest_metrics`, as MLflow keeps it. */
function addMetricSummaries(database: DatabaseSync, runs: Map<string, RunSummary>): void {
  const summaries = new Map<string, Map<string, MetricSummary>>();
  const aggregates = database.prepare(
    `SELECT run_uuid, key, MIN(CASE WHEN is_nan THEN NULL ELSE value END) AS min, MAX(CASE WHEN is_nan THEN NULL ELSE value END) AS max,
       COUNT(DISTINCT step) AS count
     FROM metrics GROUP BY run_uuid, key`,
  );
  for (const row of aggregates.all()) {
    if (!runs.has(String(row.run_uuid))) continue;
    let byKey = summaries.get(String(row.run_uuid));
    if (!byKey) summaries.set(String(row.run_uuid), (byKey = new Map()));
    const summary: MetricSummary = { last: Number.NaN, step: 0, min: storedValue(row.min, 0), max: storedValue(row.max, 0), count: Number(row.count) };
    byKey.set(String(row.key), summary);
  }
  const latest = new Map<string, Row>();
  for (const row of database.prepare('SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics').all()) latest.set(`${row.run_uuid}\n${row.key}`, row);
  const latestOfOne = database.prepare('SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step DESC, timestamp DESC, value DESC LIMIT 1');
  for (const [uuid, byKey] of summaries) {
    const run = runs.get(uuid) as RunSummary;
    for (const key of Array.from(byKey.keys()).sort()) {
      const summary = byKey.get(key) as MetricSummary;
      const last = latest.get(`${uuid}\n${key}`) ?? latestOfOne.get(uuid, key);
      if (last) {
        summary.last = storedValue(last.value, last.is_nan);
        summary.step = Number(last.step);
        if (typeof last.timestamp === 'number') summary.lastTime = last.timestamp;
      }
      put(run.metrics, key, summary);
    }
  }
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

function statusOf(row: Row, databasePath: string, problems: SourceProblem[]): RunStatus {
  const status = typeof row.status === 'string' ? SQL_STATUSES[row.status] : undefined;
  if (status) return status;
  const assumed = typeof row.end_time === 'number' ? 'finished' : 'running';
  problems.push({ path: databasePath, message: `run ${String(row.run_uuid)} has an unknown status ${JSON.stringify(row.status)}; shown as ${assumed}` });
  return assumed;
}

/** Every point of one metric of one run; undefined when there are none (or the database cannot be read). */
export function readMlflowSqliteSeries(databasePath: string, runId: string, metric: string): MetricSeries | undefined {
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

/** An MLflow SQLite database, read in place. The bulk read runs in a worker thread when a script is given. */
export class MlflowSqliteSource implements ExternalSource {
  readonly location: SourceLocation;
  private readonly workers: WorkerOptions;

  constructor(location: SourceLocation, workers: WorkerOptions = {}) {
    this.location = location;
    this.workers = workers;
  }

  async load(): Promise<SourceSnapshot> {
    const { workerScript, maxWorkers } = this.workers;
    if (!workerScript || maxWorkers === 0) return loadMlflowSqlite(this.location.path);
    const [snapshot] = await mapInWorkers<string, SourceSnapshot>(workerScript, 'mlflowSqlite', [this.location.path], { workers: 1 });
    return snapshot as SourceSnapshot;
  }

  async readSeries(runId: string, metric: string): Promise<MetricSeries | undefined> {
    return readMlflowSqliteSeries(this.location.path, runId, metric);
  }
}
