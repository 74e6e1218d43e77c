import fs from 'node:fs';
import path from 'node:path';
import { get, put } from '../platform/dictionary.ts';
import type { MetricSummary } from '../runs/metricFold.ts';
import type { RunStatus } from '../runs/records.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import type { SourceProblem } from './externalSource.ts';
import { listFilesDeep } from './fileTree.ts';
import { parseMlflowMetricFile } from './mlflowMetricFile.ts';
import { MLFLOW_RUN_ID_PREFIX, RUN_NAME_TAG, gitFromTags } from './mlflowTags.ts';
import { PointColumns, summarizePoints } from './pointColumns.ts';
import { addLineProblems, describeError } from './sourceProblems.ts';
import { readYamlMapping } from './yamlFile.ts';

// One run of an MLflow file store: mlruns/<experiment id>/<run uuid>/ with meta.yaml, params/<key>,
// tags/<key> and metrics/<key> (keys holding '/' are nested directories).

/** One run directory to read, as sent to a worker: plain data. */
export interface MlflowRunTask {
  dir: string;
  experimentName: string;
}

export interface MlflowRunResult {
  /** Null for a run MLflow shows as deleted, or a directory that is not a run. */
  run: RunSummary | null;
  problems: SourceProblem[];
}

/** MLflow's RunStatus enum as the file store writes it, an integer. */
const FILE_STORE_STATUSES: Record<number, RunStatus> = { 1: 'running', 2: 'running', 3: 'finished', 4: 'failed', 5: 'killed' };

// Metric files are parsed into the same columns, one after another, in each thread.
const points = new PointColumns();

export function readMlflowRunDir(task: MlflowRunTask): MlflowRunResult {
  const problems: SourceProblem[] = [];
  const metaFile = path.join(task.dir, 'meta.yaml');
  const meta = readYamlMapping(metaFile, problems);
  if (meta === 'missing') {
    problems.push({ path: task.dir, message: 'not an MLflow run (no meta.yaml); skipped' });
    return { run: null, problems };
  }
  if (!meta || meta.lifecycle_stage === 'deleted') return { run: null, problems };
  const uuid = textOf(meta.run_uuid) ?? textOf(meta.run_id) ?? path.basename(task.dir);
  const tags = readValueFiles(path.join(task.dir, 'tags'), problems);
  const run: RunSummary = {
    id: `${MLFLOW_RUN_ID_PREFIX}${uuid}`,
    experiment: task.experimentName,
    name: textOf(meta.run_name) || textOf(get(tags, RUN_NAME_TAG)) || uuid,
    status: statusOf(meta, metaFile, problems),
    params: readValueFiles(path.join(task.dir, 'params'), problems),
    tags,
    metrics: readMetrics(path.join(task.dir, 'metrics'), problems),
    source: 'mlflow',
  };
  const startTime = timeOf(meta.start_time);
  const endTime = timeOf(meta.end_time);
  if (startTime !== undefined) run.startTime = startTime;
  if (endTime !== undefined) run.endTime = endTime;
  const git = gitFromTags(tags);
  if (git) run.git = git;
  return { run, problems };
}

/** Every metric file of a run, summarized as MLflow reads it: per step, the greatest (timestamp, value) wins. */
function readMetrics(dir: string, problems: SourceProblem[]): Record<string, MetricSummary> {
  const metrics: Record<string, MetricSummary> = {};
  for (const name of listFilesDeep(dir)) {
    const file = path.join(dir, ...name.split('/'));
    const summary = readMetricFile(file, problems);
    if (summary) put(metrics, name, summary);
  }
  return metrics;
}

function readMetricFile(file: string, problems: SourceProblem[]): MetricSummary | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (error) {
    problems.push({ path: file, message: `cannot read: ${describeError(error)}` });
    return undefined;
  }
  points.clear();
  const errors = parseMlflowMetricFile(text, points);
  addLineProblems(problems, file, errors.map((error) => ({ line: error.line, message: `${error.message} (line skipped)` })));
  return summarizePoints(points, 'latestTimestamp');
}

/** params/ and tags/: one file per key, the value being the file's whole content. */
function readValueFiles(dir: string, problems: SourceProblem[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of listFilesDeep(dir)) {
    const file = path.join(dir, ...name.split('/'));
    try {
      put<unknown>(values, name, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push({ path: file, message: `cannot read: ${describeError(error)}` });
    }
  }
  return values;
}

function statusOf(meta: Record<string, unknown>, metaFile: string, problems: SourceProblem[]): RunStatus {
  const status = typeof meta.status === 'number' ? FILE_STORE_STATUSES[meta.status] : undefined;
  if (status) return status;
  const assumed = timeOf(meta.end_time) === undefined ? 'running' : 'finished';
  problems.push({ path: metaFile, message: `unknown run status ${JSON.stringify(meta.status ?? null)}; shown as ${assumed}` });
  return assumed;
}

/** A scalar YAML value as text: an unquoted run name such as 42 comes back as a number. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function timeOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
