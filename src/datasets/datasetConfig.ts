import fs from 'node:fs';
import path from 'node:path';
import type { ConfigProblem, WorkspaceConfig } from '../store/config.ts';

/** A dataset declared in mltrail.json: `"datasets": {"train": {"path": "data/train.csv", "description": "..."}}`. */
export interface DeclaredDataset {
  name: string;
  /** As written in mltrail.json, relative to the workspace folder (or absolute). */
  path: string;
  absolutePath: string;
  description?: string;
}

export interface DatasetDeclarations {
  datasets: DeclaredDataset[];
  problems: ConfigProblem[];
}

/** Dataset names become file names in the store: `<store>/datasets/<name>.jsonl`. */
const DATASET_NAME = /^[A-Za-z0-9._-]+$/;

export function isValidDatasetName(name: string): boolean {
  return DATASET_NAME.test(name) && name !== '.' && name !== '..';
}

/** The valid entries of `datasets` in mltrail.json; each one that is not valid is reported at its line and left out. */
export function readDatasetDeclarations(config: WorkspaceConfig): DatasetDeclarations {
  const problems: ConfigProblem[] = [];
  const value = config.raw.datasets;
  if (value === undefined) return { datasets: [], problems };
  const text = config.hasConfigFile ? readText(config.configFile) : '';
  const section = locateKey(text, 'datasets', 0);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line: section.line, message: '"datasets" must map names to {"path": "...", "description": "..."}' });
    return { datasets: [], problems };
  }
  const datasets: DeclaredDataset[] = [];
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const { line } = locateKey(text, name, section.offset);
    const where = `"datasets"."${name}"`;
    if (!isValidDatasetName(name)) {
      problems.push({ line, message: `${where}: a dataset name may hold only letters, digits, ".", "_" and "-"; entry ignored` });
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ line, message: `${where} must be an object {"path": "...", "description": "..."}; entry ignored` });
      continue;
    }
    const { path: declaredPath, description } = entry as Record<string, unknown>;
    if (typeof declaredPath !== 'string' || declaredPath.trim().length === 0) {
      problems.push({ line, message: `${where}.path must be a non-empty path to a file or a directory; entry ignored` });
      continue;
    }
    if (description !== undefined && typeof description !== 'string') problems.push({ line, message: `${where}.description must be a string; ignored` });
    datasets.push({
      name,
      path: declaredPath,
      absolutePath: path.resolve(config.folder, declaredPath),
      ...(typeof description === 'string' ? { description } : {}),
    });
  }
  return { datasets, problems };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The 1-based line of `"key"` in the config's text, searched from `from`, and where it is; line 1 when absent. */
function locateKey(text: string, key: string, from: number): { line: number; offset: number } {
  const index = text.indexOf(JSON.stringify(key), from);
  if (index < 0) return { line: 1, offset: from };
  return { line: text.slice(0, index).split('\n').length, offset: index };
}
