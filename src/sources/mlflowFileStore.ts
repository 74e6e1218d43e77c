import fs from 'node:fs';
import path from 'node:path';
import { mapInWorkers } from '../platform/workerPool.ts';
import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import type { ExternalSource, SourceLocation, SourceProblem, SourceSnapshot } from './externalSource.ts';
import { isFile, nestedPath } from './fileTree.ts';
import { parseMlflowMetricFile } from './mlflowMetricFile.ts';
import { type MlflowRunResult, type MlflowRunTask, readMlflowRunDir } from './mlflowRunDir.ts';
import { MLFLOW_RUN_ID_PREFIX } from './mlflowTags.ts';
import { PointColumns, toSeries } from './pointColumns.ts';
import { describeError } from './sourceProblems.ts';
import { type WorkerOptions, workerCount } from './workerOptions.ts';
import { readYamlMapping } from './yamlFile.ts';

/** Folders of mlruns/ that are not experiments: deleted experiments, and the model registry. */
const NON_EXPERIMENT_DIRS = new Set(['.trash', 'models']);
/** Folders of an experiment that are not runs. */
const NON_RUN_DIRS = new Set(['tags', 'datasets', 'traces']);
/** Up to this many runs, reading on the calling thread is quicker than starting workers. */
const INLINE_MAX_RUNS = 48;

const RUN_UUID = /^[\w-]+$/;

/** True when `dir` looks like an MLflow file store: some `<experiment id>/meta.yaml` in it. */
export function isMlflowFileStore(dir: string): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((entry) => entry.isDirectory() && !NON_EXPERIMENT_DIRS.has(entry.name) && isFile(path.join(dir, entry.name, 'meta.yaml')));
}

/** An MLflow file store (`mlruns/`), read in place. Runs are read in worker threads when there are many. */
export class MlflowFileStore implements ExternalSource {
  readonly location: SourceLocation;
  private readonly workers: WorkerOptions;
  /** Run directories by run id, from the last load. */
  private runDirs = new Map<string, string>();

  constructor(location: SourceLocation, workers: WorkerOptions = {}) {
    this.location = location;
    this.workers = workers;
  }

  async load(): Promise<SourceSnapshot> {
    const problems: SourceProblem[] = [];
    const tasks = listRunDirs(this.location.path, problems);
    const { workerScript } = this.workers;
    const workers = workerCount(this.workers);
    const results =
      workerScript && workers > 0 && tasks.length > INLINE_MAX_RUNS
        ? await mapInWorkers<MlflowRunTask, MlflowRunResult>(workerScript, 'mlflowRunDir', tasks, { workers })
        : tasks.map(readMlflowRunDir);
    const runs: RunSummary[] = [];
    const runDirs = new Map<string, string>();
    results.forEach((result, index) => {
      problems.push(...result.problems);
      if (!result.run) return;
      runs.push(result.run);
      runDirs.set(result.run.id, (tasks[index] as MlflowRunTask).dir);
    });
    this.runDirs = runDirs;
    return { runs, problems };
  }

  async readSeries(runId: string, metric: string): Promise<MetricSeries | undefined> {
    const dir = this.runDirs.get(runId) ?? this.findRunDir(runId);
    const file = dir === undefined ? undefined : nestedPath(path.join(dir, 'metrics'), metric);
    if (file === undefined) return undefined;
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'latin1');
    } catch {
      return undefined;
    }
    const points = new PointColumns();
    parseMlflowMetricFile(text, points);
    return toSeries(points, 'latestTimestamp');
  }

  /** A run not seen by a load (or added since): looked for in every experiment. */
  private findRunDir(runId: string): string | undefined {
    if (!runId.startsWith(MLFLOW_RUN_ID_PREFIX)) return undefined;
    const uuid = runId.slice(MLFLOW_RUN_ID_PREFIX.length);
    if (!RUN_UUID.test(uuid)) return undefined;
    for (const experiment of experimentDirs(this.location.path)) {
      const dir = path.join(experiment, uuid);
      if (isFile(path.join(dir, 'meta.yaml'))) return dir;
    }
    return undefined;
  }
}

function subdirectories(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

function experimentDirs(root: string): string[] {
  try {
    return subdirectories(root).filter((name) => !NON_EXPERIMENT_DIRS.has(name)).map((name) => path.join(root, name));
  } catch {
    return [];
  }
}

/** The run directories of every experiment that is not deleted; what cannot be read is reported. */
function listRunDirs(root: string, problems: SourceProblem[]): MlflowRunTask[] {
  if (!fs.existsSync(root)) {
    problems.push({ path: root, message: 'no MLflow store here (the folder does not exist)' });
    return [];
  }
  const tasks: MlflowRunTask[] = [];
  for (const dir of experimentDirs(root)) {
    const meta = readYamlMapping(path.join(dir, 'meta.yaml'), problems);
    if (meta === 'missing') {
      problems.push({ path: dir, message: 'not an MLflow experiment (no meta.yaml); skipped' });
      continue;
    }
    if (!meta || meta.lifecycle_stage === 'deleted') continue;
    const experimentName = (typeof meta.name === 'string' || typeof meta.name === 'number' ? String(meta.name) : '') || path.basename(dir);
    try {
      for (const name of subdirectories(dir)) if (!NON_RUN_DIRS.has(name)) tasks.push({ dir: path.join(dir, name), experimentName });
    } catch (error) {
      problems.push({ path: dir, message: `cannot list the runs: ${describeError(error)}` });
    }
  }
  return tasks;
}
