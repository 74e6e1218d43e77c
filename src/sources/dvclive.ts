import fs from 'node:fs';
import path from 'node:path';
import { has, put } from '../platform/dictionary.ts';
import { isProcessAlive } from '../platform/processLiveness.ts';
import type { MetricSummary } from '../runs/metricFold.ts';
import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import { parseDvcLiveTsv } from './dvcliveTsv.ts';
import type { ExternalSource, SourceLocation, SourceProblem, SourceSnapshot } from './externalSource.ts';
import { isDirectory, isFile, listFilesDeep, nestedPath } from './fileTree.ts';
import { PointColumns, summarizePoints, toSeries } from './pointColumns.ts';
import { parsePythonJson, pythonJsonNumber } from './pythonJson.ts';
import { addLineProblems, describeError } from './sourceProblems.ts';
import { readYamlMapping } from './yamlFile.ts';

// A DVCLive directory (`dvclive/` by default) holds one run: params.yaml, metrics.json (the latest value of
// each metric, nested by '/', plus "step") and plots/metrics/<name>.tsv (every logged value of a metric).

export const DVCLIVE_RUN_ID_PREFIX = 'dvclive:';
const PARAMS_FILE = 'params.yaml';
const METRICS_FILE = 'metrics.json';
const PLOTS_DIR = path.join('plots', 'metrics');
/** Where DVCLive tells VS Code that a run outside `dvc exp run` is live (dvclive/vscode.py). */
const LIVE_SIGNAL = path.join('.dvc', 'tmp', 'exps', 'run', 'DVCLIVE_ONLY');

/** True when `dir` holds what DVCLive writes. */
export function isDvcLiveDir(dir: string): boolean {
  return isFile(path.join(dir, METRICS_FILE)) || isFile(path.join(dir, PARAMS_FILE)) || isDirectory(path.join(dir, PLOTS_DIR));
}

/** The run id, name and experiment of a DVCLive directory, from its path relative to the workspace folder. */
function runIdentity(location: SourceLocation, folder: string): { id: string; name: string; experiment: string } {
  const relative = path.relative(folder, location.path).split(path.sep).join('/') || '.';
  return { id: `${DVCLIVE_RUN_ID_PREFIX}${relative}`, name: relative, experiment: location.origin === 'configured' ? relative : 'dvclive' };
}

export class DvcLiveSource implements ExternalSource {
  readonly location: SourceLocation;
  private readonly folder: string;

  /** `folder`: the workspace folder, which run ids are relative to and whose `.dvc/` tells a live run. */
  constructor(location: SourceLocation, folder: string) {
    this.location = location;
    this.folder = folder;
  }

  async load(): Promise<SourceSnapshot> {
    const dir = this.location.path;
    const problems: SourceProblem[] = [];
    if (!isDirectory(dir)) return { runs: [], problems: [{ path: dir, message: 'no DVCLive directory here (the folder does not exist)' }] };
    const times = new FileTimes();
    const metrics = readPlotMetrics(dir, problems, times);
    const latest = readMetricsJson(path.join(dir, METRICS_FILE), problems, times);
    for (const [name, summary] of latest) if (!has(metrics, name)) put(metrics, name, summary);
    const run: RunSummary = {
      ...runIdentity(this.location, this.folder),
      status: isLive(dir, this.folder) ? 'running' : 'finished',
      params: readParams(path.join(dir, PARAMS_FILE), problems, times),
      tags: {},
      metrics,
      source: 'dvclive',
    };
    const span = times.span();
    if (span) {
      run.startTime = span.start;
      if (run.status !== 'running') run.endTime = span.end;
    }
    return { runs: [run], problems };
  }

  async readSeries(runId: string, metric: string): Promise<MetricSeries | undefined> {
    const dir = this.location.path;
    if (runId !== runIdentity(this.location, this.folder).id) return undefined;
    const file = nestedPath(path.join(dir, PLOTS_DIR), `${metric}.tsv`);
    if (file && isFile(file)) {
      const points = new PointColumns();
      parseDvcLiveTsv(await fs.promises.readFile(file, 'utf8'), points);
      return toSeries(points, 'lastWritten');
    }
    const summary = readMetricsJson(path.join(dir, METRICS_FILE), [], new FileTimes()).get(metric);
    if (!summary) return undefined;
    return { steps: Float64Array.of(summary.step), values: Float64Array.of(summary.last), times: Float64Array.of(Number.NaN) };
  }
}

/** When the run's files were written: from the TSV timestamps when DVCLive logged them, else file mtimes. */
class FileTimes {
  private loggedStart = Infinity;
  private loggedEnd = -Infinity;
  private modifiedStart = Infinity;
  private modifiedEnd = -Infinity;

  logged(time: number): void {
    if (Number.isNaN(time)) return;
    this.loggedStart = Math.min(this.loggedStart, time);
    this.loggedEnd = Math.max(this.loggedEnd, time);
  }

  modified(file: string): void {
    const mtime = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined) return;
    this.modifiedStart = Math.min(this.modifiedStart, mtime);
    this.modifiedEnd = Math.max(this.modifiedEnd, mtime);
  }

  span(): { start: number; end: number } | undefined {
    if (this.loggedStart <= this.loggedEnd) return { start: this.loggedStart, end: this.loggedEnd };
    if (this.modifiedStart <= this.modifiedEnd) return { start: Math.round(this.modifiedStart), end: Math.round(this.modifiedEnd) };
    return undefined;
  }
}

function readPlotMetrics(dir: string, problems: SourceProblem[], times: FileTimes): Record<string, MetricSummary> {
  const metrics: Record<string, MetricSummary> = {};
  const plotsDir = path.join(dir, PLOTS_DIR);
  const points = new PointColumns();
  for (const name of listFilesDeep(plotsDir).filter((file) => file.endsWith('.tsv'))) {
    const file = path.join(plotsDir, ...name.split('/'));
    points.clear();
    try {
      addLineProblems(problems, file, parseDvcLiveTsv(fs.readFileSync(file, 'utf8'), points));
    } catch (error) {
      problems.push({ path: file, message: `cannot read: ${describeError(error)}` });
      continue;
    }
    times.modified(file);
    for (let index = 0; index < points.length; index++) times.logged(points.times[index] as number);
    const summary = summarizePoints(points, 'lastWritten');
    if (summary) put(metrics, name.slice(0, -'.tsv'.length), summary);
  }
  return metrics;
}

/** metrics.json's values as one-point summaries at its "step", by '/'-joined name. */
function readMetricsJson(file: string, problems: SourceProblem[], times: FileTimes): Map<string, MetricSummary> {
  const summaries = new Map<string, MetricSummary>();
  let parsed: unknown;
  try {
    parsed = parsePythonJson(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push({ path: file, message: `cannot read: ${describeError(error)}` });
    return summaries;
  }
  times.modified(file);
  if (!isObject(parsed)) {
    problems.push({ path: file, message: 'expected a JSON object of metrics' });
    return summaries;
  }
  const step = typeof parsed.step === 'number' ? parsed.step : 0;
  const visit = (value: unknown, name: string) => {
    const number = pythonJsonNumber(value);
    if (number !== undefined) {
      const finite = !Number.isNaN(number);
      summaries.set(name, { last: number, step, min: finite ? number : Number.NaN, max: finite ? number : Number.NaN, count: 1 });
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, name ? `${name}/${key}` : key);
    }
  };
  for (const [key, value] of Object.entries(parsed)) if (key !== 'step') visit(value, key);
  return summaries;
}

/** params.yaml, nested keys joined with '.' (`{train: {lr: 0.1}}` is `train.lr`); lists stay values. */
function readParams(file: string, problems: SourceProblem[], times: FileTimes): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const parsed = readYamlMapping(file, problems);
  if (parsed === undefined || parsed === 'missing') return params;
  times.modified(file);
  const visit = (value: unknown, name: string) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) visit(child, `${name}.${key}`);
    } else {
      put(params, name, value);
    }
  };
  for (const [key, value] of Object.entries(parsed)) visit(value, key);
  return params;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * DVCLive's signal that a run is live, in the DVC repository holding `dir`: the nearest folder with a `.dvc/`,
 * from `dir` up to the workspace folder. The signal names no directory, so it marks every DVCLive run of the repo.
 */
function isLive(dir: string, folder: string): boolean {
  for (let repo = dir; isWithin(folder, repo); repo = path.dirname(repo)) {
    if (isDirectory(path.join(repo, '.dvc'))) return liveSignalAlive(path.join(repo, LIVE_SIGNAL));
    if (repo === path.dirname(repo)) break;
  }
  return false;
}

function isWithin(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Whether the signal file exists and the process it names ({"pid": ...}) is alive. */
function liveSignalAlive(file: string): boolean {
  try {
    const { pid } = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
  } catch {
    return false;
  }
}
