import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readDatasetDeclarations } from '../datasets/datasetConfig.ts';
import { type DatasetRecord, datasetRecordToJson } from '../datasets/datasetRecords.ts';
import { formatSize } from '../datasets/formatSize.ts';
import { type DatasetEntry, listDatasets } from '../datasets/listDatasets.ts';
import { snapshotDataset } from '../datasets/snapshot.ts';
import { formatRelativeTime } from '../platform/time.ts';
import type { SourceProblem } from '../sources/externalSource.ts';
import { type WorkspaceConfig, loadWorkspaceConfig } from '../store/config.ts';
import { type CliIo, CommandError, UsageError } from './cliIo.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { renderTable } from './table.ts';

export const DATASETS_USAGE = `Usage: mltrail datasets [--json] [--store DIR]

List the datasets of the current folder: those mltrail.json declares, those recorded in the store, and the
outputs of DVC's .dvc files and dvc.lock, with their versions and whether the data changed since the latest one.

  --json       print one JSON array (see docs/datasets.md)
  --store DIR  the store directory (default: what ./mltrail.json names, else ./.mltrail)
`;

export const DATASET_USAGE = `Usage: mltrail dataset snapshot NAME [--note TEXT] [--json] [--store DIR]

Record a new version of a dataset declared in mltrail.json: its xxh64 hash, size, file count, and for a table its
rows and columns. Nothing is recorded when the content equals the latest version's. Exit code 0 either way.

  --note TEXT  a note kept with the version
  --json       print the result as JSON (see docs/datasets.md)
  --store DIR  the store directory (default: what ./mltrail.json names, else ./.mltrail)
`;

const MAX_PROBLEMS_SHOWN = 20;
const PROGRESS_INTERVAL_MS = 1000;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** The workspace's config, with the store `--store DIR` names (which must exist) in place of its own. */
function configFor(io: CliIo, storeOption: string | undefined): WorkspaceConfig {
  const config = loadWorkspaceConfig(io.cwd);
  if (storeOption !== undefined) return { ...config, storeDir: resolveStoreDir(io, storeOption) };
  for (const problem of config.problems) io.err(`${config.configFile}:${problem.line}: ${problem.message}\n`);
  return config;
}

function reportProblems(problems: readonly SourceProblem[], io: CliIo): void {
  for (const problem of problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${problem.path}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}\n`);
  if (problems.length > MAX_PROBLEMS_SHOWN) io.err(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more problems\n`);
}

/** The documented JSON shape of a dataset in `mltrail datasets --json`. */
export function datasetEntryToJson(entry: DatasetEntry): Record<string, unknown> {
  return {
    name: entry.name,
    source: entry.source,
    path: entry.path,
    description: entry.description ?? null,
    declared: entry.declared,
    latestVersion: entry.versions.at(-1)?.version ?? null,
    modified: entry.modified?.modified ?? null,
    modifiedReason: entry.modified?.reason ?? null,
    versions: entry.versions.map(datasetRecordToJson),
    dvc: entry.dvc
      ? { file: entry.dvc.dvcFile, stage: entry.dvc.stage ?? null, path: entry.dvc.path, hash: entry.dvc.hash ?? null, size: entry.dvc.size ?? null, files: entry.dvc.files ?? null }
      : null,
  };
}

export async function datasetsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    io.out(DATASETS_USAGE);
    return 0;
  }
  const listing = await listDatasets(configFor(io, values.store as string | undefined));
  reportProblems(listing.problems, io);
  if (values.json) {
    io.out(JSON.stringify(listing.datasets.map(datasetEntryToJson), null, 2) + '\n');
    return 0;
  }
  if (listing.datasets.length === 0) {
    io.out('No datasets. Declare them in mltrail.json: "datasets": {"train": {"path": "data/train.csv"}}\n');
    return 0;
  }
  const now = Date.now();
  const rows = listing.datasets.map((entry) => {
    const latest = entry.versions.at(-1);
    const described = latest ?? entry.dvc;
    return [
      entry.name,
      entry.source,
      entry.path,
      latest ? `v${latest.version}` : '',
      described?.hash ? shortHash(described.hash) : '',
      described?.size === undefined ? '' : formatSize(described.size),
      described?.files === undefined ? '' : String(described.files),
      latest?.rows === undefined ? '' : String(latest.rows),
      entry.modified === undefined ? '' : entry.modified.modified === undefined ? '?' : entry.modified.modified ? 'yes' : 'no',
      latest?.time === undefined ? '' : formatRelativeTime(latest.time, now),
    ];
  });
  io.out(renderTable(['NAME', 'SOURCE', 'PATH', 'LATEST', 'HASH', 'SIZE', 'FILES', 'ROWS', 'MODIFIED', 'RECORDED'], rows));
  return 0;
}

/** "xxh64:1f2e3d4c" from "xxh64:1f2e3d4c5b6a7988": enough to tell versions apart in a table. */
function shortHash(hash: string): string {
  const separator = hash.indexOf(':');
  return hash.slice(0, separator + 9);
}

export async function datasetCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { note: { type: 'string' }, json: { type: 'boolean' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.out(DATASET_USAGE);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (action !== 'snapshot') throw new UsageError(action === undefined ? 'missing the action: mltrail dataset snapshot NAME' : `unknown action "${action}" (expected snapshot)`);
  if (name === undefined) throw new UsageError('missing the dataset name: mltrail dataset snapshot NAME');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const config = configFor(io, values.store as string | undefined);
  const declarations = readDatasetDeclarations(config);
  reportProblems(declarations.problems.map((problem) => ({ path: config.configFile, ...problem })), io);
  const dataset = declarations.datasets.find((candidate) => candidate.name === name);
  if (!dataset) {
    const known = declarations.datasets.map((candidate) => candidate.name);
    throw new CommandError(`no dataset "${name}" in ${config.configFile}${known.length > 0 ? ` (declared: ${known.join(', ')})` : ''}`);
  }
  const workerScript = datasetsWorkerScript(io.workerScript);
  const result = await snapshotDataset(dataset, {
    storeDir: config.storeDir,
    folder: config.folder,
    ...(values.note !== undefined ? { note: values.note as string } : {}),
    onProgress: progressPrinter(name, io),
    ...(workerScript ? { workerScript } : {}),
  });
  reportProblems(result.problems, io);
  if (values.json) {
    io.out(JSON.stringify({ dataset: name, recorded: result.recorded, version: result.version, reason: result.reason, record: datasetRecordToJson(result.record) }, null, 2) + '\n');
    return 0;
  }
  io.out(`${name}: ${result.reason} (${describeRecord(result.record)})\n`);
  for (const problem of result.recorded ? (result.record.problems ?? []) : []) io.err(`${dataset.path}: ${problem}\n`);
  return 0;
}

function describeRecord(record: DatasetRecord): string {
  const parts = [record.hash];
  if (record.size !== undefined) parts.push(formatSize(record.size));
  if (record.files !== undefined) parts.push(`${record.files} ${record.files === 1 ? 'file' : 'files'}`);
  if (record.rows !== undefined) parts.push(`${record.rows} rows`);
  if (record.columns !== undefined) parts.push(`${record.columns.length} columns`);
  return parts.join(', ');
}

/** Progress on stderr once a second, for data that takes longer than that to hash. */
function progressPrinter(name: string, io: CliIo): (doneBytes: number, totalBytes: number) => void {
  let nextAt = Date.now() + PROGRESS_INTERVAL_MS;
  return (doneBytes, totalBytes) => {
    if (Date.now() < nextAt || totalBytes === 0) return;
    nextAt = Date.now() + PROGRESS_INTERVAL_MS;
    io.err(`hashing ${name}: ${Math.floor((doneBytes / totalBytes) * 100)}% (${formatSize(doneBytes)} of ${formatSize(totalBytes)})\n`);
  };
}

/**
 * The datasets worker beside the runs worker the CLI was started with: dist/workers/datasets.js next to
 * dist/workers/runs.js, or src/datasets/datasetsWorker.ts from sources. Without one, data is hashed on this thread.
 */
function datasetsWorkerScript(runsWorker: string | URL | undefined): URL | undefined {
  if (runsWorker === undefined) return undefined;
  const runsUrl = runsWorker instanceof URL ? runsWorker : pathToFileURL(path.resolve(runsWorker));
  const candidate = runsUrl.pathname.endsWith('.js') ? new URL('datasets.js', runsUrl) : new URL('../datasets/datasetsWorker.ts', runsUrl);
  return fs.existsSync(fileURLToPath(candidate)) ? candidate : undefined;
}
