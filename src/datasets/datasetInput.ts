import fs from 'node:fs';
import path from 'node:path';
import { TABLE_FORMATS } from '../drift/table/tableFormats.ts';
import type { WorkspaceConfig } from '../store/config.ts';
import type { DatasetRecord } from './datasetRecords.ts';
import { type DatasetEntry, listDatasets } from './listDatasets.ts';

/** A dataset version as a table to read: the file, and which version it is. */
export interface DatasetTable {
  file: string;
  dataset: { name: string; version: number };
  record: DatasetRecord;
}

const DATASET_SPEC = /^([A-Za-z0-9][\w.-]*)(?:@v?(\d+))?$/;

/** Whether the version's content is what is on disk now: the latest version, with files unchanged since. */
export function isOnDisk(dataset: DatasetEntry, record: DatasetRecord): boolean {
  return dataset.versions.at(-1) === record && dataset.modified?.modified === false;
}

/**
 * The table file of a dataset version, when that version is what is on disk (MLTrail records hashes, not copies).
 * A directory dataset works when it holds exactly one table file. Throws a message that says what to do otherwise.
 */
export function tableOfVersion(dataset: DatasetEntry, version?: number): DatasetTable {
  const latest = dataset.versions.at(-1);
  if (!latest) throw new Error(`dataset "${dataset.name}" has no versions yet: snapshot it first (mltrail dataset snapshot ${dataset.name})`);
  const record = version === undefined ? latest : dataset.versions.find((candidate) => candidate.version === version);
  if (!record) throw new Error(`dataset "${dataset.name}" has no version ${version} (its latest is v${latest.version})`);
  if (!isOnDisk(dataset, record)) {
    const why = record !== latest ? `the files on disk are v${latest.version}` : dataset.modified?.modified === true ? 'its files changed since it was recorded' : 'its files were never hashed on this machine';
    throw new Error(`${dataset.name}@v${record.version} is not what is on disk: ${why}. MLTrail records hashes, not copies: restore it (git checkout, dvc checkout) or snapshot the new content, then compare`);
  }
  let file = dataset.absolutePath;
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    const tables = fs.readdirSync(file).filter((name) => TABLE_FORMATS.includes(path.extname(name).toLowerCase()));
    if (tables.length !== 1) throw new Error(`dataset "${dataset.name}" is a directory with ${tables.length} table files; name the files to compare instead`);
    file = path.join(file, tables[0] as string);
  }
  return { file, dataset: { name: dataset.name, version: record.version }, record };
}

/** `train@3`, `train@v3` or `train` (the latest) as a table, or undefined when the text names no dataset of this workspace. */
export async function resolveDatasetSpec(config: WorkspaceConfig, spec: string): Promise<DatasetTable | undefined> {
  const match = DATASET_SPEC.exec(spec);
  if (!match) return undefined;
  const { datasets } = await listDatasets(config);
  const dataset = datasets.find((candidate) => candidate.name === match[1]);
  if (!dataset) return undefined;
  return tableOfVersion(dataset, match[2] === undefined ? undefined : Number(match[2]));
}
