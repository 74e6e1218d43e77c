import fs from 'node:fs';
import path from 'node:path';
import type { SourceProblem } from '../sources/externalSource.ts';
import type { WorkspaceConfig } from '../store/config.ts';
import { isValidDatasetName, readDatasetDeclarations } from './datasetConfig.ts';
import { DATASETS_DIR, type DatasetRecord, datasetRecordsFile, readDatasetRecords } from './datasetRecords.ts';
import { type DvcOutput, findDvcOutputs } from './dvcDatasets.ts';
import { HashCache, hashCacheFile } from './hashCache.ts';
import { type ModifiedCheck, checkModified } from './modifiedCheck.ts';

export interface DatasetEntry {
  /** The declared name; for a dataset only DVC tracks, its path. */
  name: string;
  /** `mltrail`: declared in mltrail.json or recorded in the store; `dvc`: only a DVC output. */
  source: 'mltrail' | 'dvc';
  /** As declared (or as last recorded), relative to the workspace folder; '' when the records name no path. */
  path: string;
  /** '' when `path` is. */
  absolutePath: string;
  description?: string;
  /** Whether mltrail.json declares it (a dataset can have records and no declaration any more). */
  declared: boolean;
  /** Oldest first. */
  versions: DatasetRecord[];
  /** Against the latest version; absent when there is none. */
  modified?: ModifiedCheck;
  /** DVC's description of the same path, when DVC tracks it. */
  dvc?: DvcOutput;
}

export interface DatasetListing {
  datasets: DatasetEntry[];
  /** mltrail.json entries that are not valid, malformed record lines, unreadable DVC files. */
  problems: SourceProblem[];
}

/**
 * The datasets of a workspace folder: those mltrail.json declares, those recorded in the store without a
 * declaration, and DVC outputs, each with its versions and whether it changed since the latest (stat only).
 */
export async function listDatasets(config: WorkspaceConfig): Promise<DatasetListing> {
  const declarations = readDatasetDeclarations(config);
  const problems: SourceProblem[] = declarations.problems.map((problem) => ({ path: config.configFile, ...problem }));
  const entries: DatasetEntry[] = [];
  const readVersions = (name: string) => {
    const { records, problems: recordProblems } = readDatasetRecords(datasetRecordsFile(config.storeDir, name));
    problems.push(...recordProblems);
    return records;
  };
  for (const dataset of declarations.datasets) {
    const { name, path: declaredPath, absolutePath, description } = dataset;
    entries.push({ name, source: 'mltrail', path: declaredPath, absolutePath, ...(description !== undefined ? { description } : {}), declared: true, versions: readVersions(name) });
  }
  for (const name of recordedNames(config.storeDir)) {
    if (entries.some((entry) => entry.name === name)) continue;
    const versions = readVersions(name);
    const recordedPath = versions.at(-1)?.path ?? '';
    entries.push({ name, source: 'mltrail', path: recordedPath, absolutePath: recordedPath && path.resolve(config.folder, recordedPath), declared: false, versions });
  }
  const cache = HashCache.load(hashCacheFile(config.storeDir));
  for (const entry of entries) {
    const latest = entry.versions.at(-1);
    if (latest && entry.absolutePath) entry.modified = await checkModified(entry.absolutePath, latest, cache);
  }
  const dvc = findDvcOutputs(config.folder, [config.storeDir, ...entries.map((entry) => entry.absolutePath).filter(Boolean)]);
  problems.push(...dvc.problems);
  for (const output of dvc.outputs) {
    const same = entries.find((entry) => entry.absolutePath === output.absolutePath);
    if (same) same.dvc = output;
    else entries.push({ name: output.path, source: 'dvc', path: output.path, absolutePath: output.absolutePath, declared: false, versions: [], dvc: output });
  }
  return { datasets: entries, problems };
}

/** Names of the records files in `<store>/datasets/`. */
function recordedNames(storeDir: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(path.join(storeDir, DATASETS_DIR));
  } catch {
    return [];
  }
  return files.filter((file) => file.endsWith('.jsonl')).map((file) => file.slice(0, -'.jsonl'.length)).filter(isValidDatasetName).sort();
}
