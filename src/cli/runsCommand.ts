import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { put } from '../platform/dictionary.ts';
import { formatMetricValue, formatParamValue } from '../platform/format.ts';
import { formatRelativeTime } from '../platform/time.ts';
import { type EncodedMetricSummary, encodeMetricSummary } from '../runs/metricFold.ts';
import type { RunStatus } from '../runs/records.ts';
import { RUN_STATUSES } from '../runs/records.ts';
import { RunIndex } from '../runs/runIndex.ts';
import { DEFAULT_SORT, keyMetricOf, matchesFilter, sortRuns } from '../runs/runQuery.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import { detectSources } from '../sources/detectSources.ts';
import { RUN_SOURCES, type RunSource, type SourceLocation, type SourceProblem } from '../sources/externalSource.ts';
import { openSource } from '../sources/openSources.ts';
import { loadWorkspaceConfig } from '../store/config.ts';
import { type CliIo, CommandError, UsageError } from './cliIo.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { renderTable } from './table.ts';

export const RUNS_USAGE = `Usage: mltrail runs [--json] [--experiment NAME] [--status S[,S...]] [--source S[,S...]] [--store DIR] [--no-cache]

List the runs of a store, and of the other trackers in the current folder (MLflow, DVCLive; see
docs/sources.md), newest first.

  --json             print one JSON array (see docs/store-format.md, "mltrail runs --json")
  --experiment NAME  only runs of this experiment
  --status S         only runs with this status: ${RUN_STATUSES.join(', ')} (comma-separated for several)
  --source S         only runs from this tracker: ${RUN_SOURCES.join(', ')} (comma-separated for several)
  --store DIR        the store directory (default: what ./mltrail.json names, else ./.mltrail)
  --no-cache         neither read nor write the index cache in <store>/cache/
`;

const MAX_PROBLEMS_SHOWN = 20;

/** A comma-separated option whose every item must be one of `allowed`. */
function parseChoices<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new UsageError(`unknown ${what} "${item}" (expected ${allowed.join(', ')})`);
  }
  return items as T[];
}

function isoOrNull(time: number | undefined): string | null {
  return time === undefined ? null : new Date(time).toISOString();
}

/** The documented JSON shape of a run: stable field names, NaN and infinities as null in `metrics`. */
export function runToJson(run: RunSummary): Record<string, unknown> {
  const metrics: Record<string, number | null> = {};
  const metricSummaries: Record<string, EncodedMetricSummary> = {};
  for (const [name, summary] of Object.entries(run.metrics)) {
    put(metrics, name, Number.isFinite(summary.last) ? summary.last : null);
    put(metricSummaries, name, encodeMetricSummary(summary));
  }
  return {
    id: run.id,
    source: run.source ?? 'mltrail',
    experiment: run.experiment,
    name: run.name,
    status: run.status,
    startTime: isoOrNull(run.startTime),
    endTime: isoOrNull(run.endTime),
    exitCode: run.exitCode ?? null,
    command: run.command ?? null,
    host: run.host ?? null,
    pid: run.pid ?? null,
    git: run.git ?? null,
    params: run.params,
    tags: run.tags,
    metrics,
    metricSummaries,
  };
}

export async function runsCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        json: { type: 'boolean' },
        experiment: { type: 'string' },
        status: { type: 'string' },
        source: { type: 'string' },
        store: { type: 'string' },
        'no-cache': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const { values } = parsed;
  if (values.help) {
    io.out(RUNS_USAGE);
    return 0;
  }
  const statuses = parseChoices<RunStatus>(values.status, RUN_STATUSES, 'status');
  const sources = parseChoices<RunSource>(values.source, RUN_SOURCES, 'source');
  const wanted = (source: RunSource) => !sources || sources.includes(source);
  const config = loadWorkspaceConfig(io.cwd);
  const locations = detectSources(io.cwd, config.sources).filter((location) => wanted(location.kind));
  const runs: RunSummary[] = [];
  if (wanted('mltrail')) {
    // Without a store, the other trackers' runs are still listed, unless the store was asked for by name.
    const storeRequired = values.store !== undefined || sources !== undefined || locations.length === 0;
    const storeDir = storeRequired ? resolveStoreDir(io, values.store) : existingStoreDir(io);
    if (storeDir) runs.push(...(await listStoreRuns(storeDir, !values['no-cache'], io)));
  } else if (values.store === undefined) {
    // Reading the store would have reported what is wrong with mltrail.json ("sources" included).
    for (const problem of config.problems) io.err(`${config.configFile}:${problem.line}: ${problem.message}\n`);
  }
  runs.push(...(await listSourceRuns(locations, io)));

  const filter = { ...(values.experiment !== undefined ? { experiments: [values.experiment] } : {}), ...(statuses ? { statuses } : {}) };
  const listed = sortRuns(runs.filter((run) => matchesFilter(run, filter)), DEFAULT_SORT);
  if (values.json) {
    io.out(JSON.stringify(listed.map(runToJson), null, 2) + '\n');
    return 0;
  }
  if (listed.length === 0) {
    io.out('No runs.\n');
    return 0;
  }
  const keyMetric = values.store === undefined ? config.keyMetric : undefined;
  // The SOURCE column only when another tracker's runs are listed: a store alone reads as it always has.
  const showSource = listed.some((run) => run.source !== undefined);
  const now = Date.now();
  const rows = listed.map((run) => {
    const key = keyMetricOf(run, keyMetric);
    return [
      run.id,
      ...(showSource ? [run.source ?? 'mltrail'] : []),
      run.experiment,
      run.name,
      run.status,
      run.startTime === undefined ? '' : formatRelativeTime(run.startTime, now),
      key ? `${key.name}=${formatMetricValue(key.summary.last)}` : '',
      Object.entries(run.params).slice(0, 4).map(([name, value]) => `${name}=${formatParamValue(value)}`).join(' '),
    ];
  });
  io.out(renderTable(['ID', ...(showSource ? ['SOURCE'] : []), 'EXPERIMENT', 'NAME', 'STATUS', 'STARTED', 'KEY METRIC', 'PARAMS'], rows));
  return 0;
}

/** The store the workspace names, when it exists; undefined (and nothing said) when it does not. */
function existingStoreDir(io: CliIo): string | undefined {
  try {
    return resolveStoreDir(io, undefined);
  } catch (error) {
    if (error instanceof CommandError) return undefined;
    throw error;
  }
}

async function listStoreRuns(storeDir: string, useCache: boolean, io: CliIo): Promise<RunSummary[]> {
  const index = new RunIndex({ storeDir, useCache, ...(io.workerScript ? { workerScript: io.workerScript } : {}) });
  await index.load();
  await index.saveCache();
  const problems = index.problems();
  for (const problem of problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${problem.path}:${problem.line}: ${problem.message} (line skipped)\n`);
  if (problems.length > MAX_PROBLEMS_SHOWN) io.err(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more malformed lines\n`);
  return index.list();
}

async function listSourceRuns(locations: readonly SourceLocation[], io: CliIo): Promise<RunSummary[]> {
  const workerScript = sourcesWorkerScript(io.workerScript);
  const snapshots = await Promise.all(
    locations.map(async (location) => {
      try {
        return await openSource(location, { folder: io.cwd, ...(workerScript ? { workerScript } : {}) }).load();
      } catch (error) {
        return { runs: [], problems: [{ path: location.path, message: `cannot read these ${location.kind} runs: ${(error as Error).message}` }] };
      }
    }),
  );
  const problems: SourceProblem[] = snapshots.flatMap((snapshot) => snapshot.problems);
  for (const problem of problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${problem.path}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  if (problems.length > MAX_PROBLEMS_SHOWN) io.err(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more problems in other trackers' files\n`);
  return snapshots.flatMap((snapshot) => snapshot.runs);
}

/**
 * The sources worker beside the runs worker the CLI was started with: dist/workers/sources.js next to
 * dist/workers/runs.js, or src/sources/sourcesWorker.ts from sources. Without one, sources are read on this thread.
 */
function sourcesWorkerScript(runsWorker: string | URL | undefined): URL | undefined {
  if (runsWorker === undefined) return undefined;
  const runsUrl = runsWorker instanceof URL ? runsWorker : pathToFileURL(runsWorker);
  const candidate = runsUrl.pathname.endsWith('.js') ? new URL('sources.js', runsUrl) : new URL('../sources/sourcesWorker.ts', runsUrl);
  return fs.existsSync(fileURLToPath(candidate)) ? candidate : undefined;
}
