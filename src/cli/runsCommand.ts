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
import { loadWorkspaceConfig } from '../store/config.ts';
import { type CliIo, UsageError } from './cliIo.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { renderTable } from './table.ts';

export const RUNS_USAGE = `Usage: mltrail runs [--json] [--experiment NAME] [--status S[,S...]] [--store DIR] [--no-cache]

List the runs of a store, newest first.

  --json             print one JSON array (see docs/store-format.md, "mltrail runs --json")
  --experiment NAME  only runs of this experiment
  --status S         only runs with this status: ${RUN_STATUSES.join(', ')} (comma-separated for several)
  --store DIR        the store directory (default: what ./mltrail.json names, else ./.mltrail)
  --no-cache         neither read nor write the index cache in <store>/cache/
`;

const MAX_PROBLEMS_SHOWN = 20;

function parseStatuses(value: string | undefined): RunStatus[] | undefined {
  if (value === undefined) return undefined;
  const statuses = value.split(',').map((status) => status.trim()).filter(Boolean);
  for (const status of statuses) {
    if (!RUN_STATUSES.includes(status as RunStatus)) throw new UsageError(`unknown status "${status}" (expected ${RUN_STATUSES.join(', ')})`);
  }
  return statuses as RunStatus[];
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
  const statuses = parseStatuses(values.status);
  const storeDir = resolveStoreDir(io, values.store);
  const index = new RunIndex({ storeDir, useCache: !values['no-cache'], ...(io.workerScript ? { workerScript: io.workerScript } : {}) });
  await index.load();
  await index.saveCache();

  const problems = index.problems();
  for (const problem of problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${problem.path}:${problem.line}: ${problem.message} (line skipped)\n`);
  if (problems.length > MAX_PROBLEMS_SHOWN) io.err(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more malformed lines\n`);

  const filter = { ...(values.experiment !== undefined ? { experiments: [values.experiment] } : {}), ...(statuses ? { statuses } : {}) };
  const runs = sortRuns(index.list().filter((run) => matchesFilter(run, filter)), DEFAULT_SORT);
  if (values.json) {
    io.out(JSON.stringify(runs.map(runToJson), null, 2) + '\n');
    return 0;
  }
  if (runs.length === 0) {
    io.out('No runs.\n');
    return 0;
  }
  const keyMetric = values.store === undefined ? loadWorkspaceConfig(io.cwd).keyMetric : undefined;
  const now = Date.now();
  const rows = runs.map((run) => {
    const key = keyMetricOf(run, keyMetric);
    return [
      run.id,
      run.experiment,
      run.name,
      run.status,
      run.startTime === undefined ? '' : formatRelativeTime(run.startTime, now),
      key ? `${key.name}=${formatMetricValue(key.summary.last)}` : '',
      Object.entries(run.params).slice(0, 4).map(([name, value]) => `${name}=${formatParamValue(value)}`).join(' '),
    ];
  });
  io.out(renderTable(['ID', 'EXPERIMENT', 'NAME', 'STATUS', 'STARTED', 'KEY METRIC', 'PARAMS'], rows));
  return 0;
}
