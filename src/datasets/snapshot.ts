import path from 'node:path';
import { withFileLock } from '../platform/fileLock.ts';
import type { DeclaredDataset } from './datasetConfig.ts';
import { type DatasetRecord, type DatasetRecordProblem, appendDatasetRecord, datasetRecordsFile, readDatasetRecords } from './datasetRecords.ts';
import { callDatasetsWorker } from './datasetsWorkerClient.ts';
import { MissingPathError, listTargetFiles } from './fileListing.ts';
import { readGitState } from './gitState.ts';
import { hashCacheFile } from './hashCache.ts';
import { hashPath } from './hashTree.ts';
import { type TableProfile, isTableFile, profileTable } from './profileTable.ts';

export interface SnapshotOptions {
  storeDir: string;
  /** The workspace folder, whose git state is recorded. */
  folder: string;
  note?: string;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** The datasets worker script: hashing and profiling then run on worker threads. */
  workerScript?: string | URL;
}

export interface SnapshotResult {
  /** False when the content equals the latest version's: nothing new is written. */
  recorded: boolean;
  /** The version written, or the latest version, whose content this is. */
  version: number;
  record: DatasetRecord;
  /** For people: "recorded v4", "unchanged since v3: nothing recorded". */
  reason: string;
  /** Malformed lines of the dataset's records file, skipped. */
  problems: DatasetRecordProblem[];
}

/**
 * Records a new version of a dataset when its content differs from the latest version: hashes it (files unchanged
 * since an earlier hash are not read), profiles its table, and appends the record under a lock, so processes
 * snapshotting at once never write the same version number. Throws, naming the path, when the data is missing.
 */
export async function snapshotDataset(dataset: DeclaredDataset, options: SnapshotOptions): Promise<SnapshotResult> {
  const git = readGitState(options.folder);
  const hashed = await hashPath(dataset.absolutePath, {
    cacheFile: hashCacheFile(options.storeDir),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
  }).catch((error: unknown) => {
    if (error instanceof MissingPathError) throw new Error(`dataset "${dataset.name}": ${dataset.path} does not exist (${error.path}); nothing recorded`);
    throw error;
  });
  const file = datasetRecordsFile(options.storeDir, dataset.name);
  const unchanged = unchangedResult(readDatasetRecords(file), hashed.hash);
  if (unchanged) return unchanged;

  const profile = await profileDataset(dataset.absolutePath, options);
  options.signal?.throwIfAborted();
  const gitInfo = await git;
  const content: Omit<DatasetRecord, 'version'> = {
    path: dataset.path,
    hash: hashed.hash,
    size: hashed.size,
    files: hashed.files,
    ...(profile.rows !== undefined ? { rows: profile.rows } : {}),
    ...(profile.columns !== undefined ? { columns: profile.columns } : {}),
    time: Date.now(),
    ...(gitInfo ? { git: gitInfo } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(profile.problems.length > 0 ? { problems: profile.problems } : {}),
  };
  return withFileLock(`${file}.lock`, () => {
    // Read again under the lock: another process may have recorded a version (maybe this very content) meanwhile.
    const current = readDatasetRecords(file);
    const raced = unchangedResult(current, hashed.hash);
    if (raced) return raced;
    const version = (current.records.at(-1)?.version ?? 0) + 1;
    const record: DatasetRecord = { version, ...content };
    appendDatasetRecord(file, record);
    return { recorded: true, version, record, reason: `recorded v${version}`, problems: current.problems };
  });
}

function unchangedResult({ records, problems }: ReturnType<typeof readDatasetRecords>, hash: string): SnapshotResult | undefined {
  const latest = records.at(-1);
  if (latest?.hash !== hash) return undefined;
  return { recorded: false, version: latest.version, record: latest, reason: `unchanged since v${latest.version}: nothing recorded`, problems };
}

/**
 * The profile of a file dataset, or of a directory's only table file (a directory of several tables is described
 * by its size and file count alone: which of them is "the" table is not MLTrail's to guess).
 */
async function profileDataset(target: string, options: SnapshotOptions): Promise<TableProfile> {
  const tables = listTargetFiles(target).files.filter((file) => isTableFile(file.absolute));
  const table = tables.length === 1 ? tables[0] : undefined;
  if (!table) return { problems: [] };
  const file = table.absolute;
  try {
    if (options.workerScript === undefined) return await profileTable(file);
    const { profile } = await callDatasetsWorker(options.workerScript, { task: 'profile', file }, options.signal ? { signal: options.signal } : {});
    return profile ?? { problems: [] };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { problems: [`cannot profile ${path.basename(file)}: ${(error as Error).message}`] };
  }
}
