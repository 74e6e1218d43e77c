import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { readNewLines } from '../platform/jsonlCursor.ts';
import { parseStoreTime } from '../platform/time.ts';
import { type GitInfo, type JsonObject, MalformedRecord, parseObjectLine } from '../runs/records.ts';

export const DATASETS_DIR = 'datasets';

export interface DatasetColumn {
  name: string;
  type: string;
}

/** One line of `<store>/datasets/<name>.jsonl`: a version of the dataset. */
export interface DatasetRecord {
  version: number;
  /** `xxh64:<hex>` from MLTrail; other writers may use `md5:<hex>`, `sha256:<hex>`... */
  hash: string;
  /** The dataset's path when it was recorded, as declared (relative to the workspace folder). */
  path?: string;
  size?: number;
  files?: number;
  rows?: number;
  columns?: DatasetColumn[];
  /** Epoch ms; written as ISO 8601. */
  time?: number;
  git?: GitInfo;
  note?: string;
  /** What could not be read while profiling. */
  problems?: string[];
}

export interface DatasetRecordProblem {
  path: string;
  line: number;
  message: string;
}

export interface DatasetRecords {
  /** By version, oldest first. */
  records: DatasetRecord[];
  problems: DatasetRecordProblem[];
}

export function datasetRecordsFile(storeDir: string, name: string): string {
  return path.join(storeDir, DATASETS_DIR, `${name}.jsonl`);
}

/**
 * The versions in a dataset's records file; none when it does not exist. Malformed lines and a second record of a
 * version already seen are skipped and reported with their line.
 */
export function readDatasetRecords(file: string): DatasetRecords {
  const records: DatasetRecord[] = [];
  const problems: DatasetRecordProblem[] = [];
  const lineOfVersion = new Map<number, number>();
  readNewLines(file, undefined, {
    line: (text, line) => {
      try {
        const record = parseDatasetRecord(text);
        const earlier = lineOfVersion.get(record.version);
        if (earlier !== undefined) throw new MalformedRecord(`version ${record.version} was already recorded at line ${earlier}`);
        lineOfVersion.set(record.version, line);
        records.push(record);
      } catch (error) {
        if (!(error instanceof MalformedRecord)) throw error;
        problems.push({ path: file, line, message: error.message });
      }
    },
    overlong: (line, bytes) => problems.push({ path: file, line, message: `a line of ${bytes} bytes is too long` }),
  });
  return { records: records.sort((a, b) => a.version - b.version), problems };
}

/** Appends one record as one line (a single write, so concurrent appenders never tear it). */
export function appendDatasetRecord(file: string, record: DatasetRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  appendLines(file, [JSON.stringify(datasetRecordToJson(record))]);
}

/** The documented shape of a record, as stored and as the CLI prints it. */
export function datasetRecordToJson(record: DatasetRecord): Record<string, unknown> {
  const json: Record<string, unknown> = { version: record.version };
  if (record.path !== undefined) json.path = record.path;
  json.hash = record.hash;
  if (record.size !== undefined) json.size = record.size;
  if (record.files !== undefined) json.files = record.files;
  if (record.rows !== undefined) json.rows = record.rows;
  if (record.columns !== undefined) json.columns = record.columns;
  if (record.time !== undefined) json.time = new Date(record.time).toISOString();
  if (record.git !== undefined) json.git = record.git;
  if (record.note !== undefined) json.note = record.note;
  if (record.problems !== undefined && record.problems.length > 0) json.problems = record.problems;
  return json;
}

function parseDatasetRecord(text: string): DatasetRecord {
  const json = parseObjectLine(text);
  const version = json.version;
  if (!Number.isInteger(version) || (version as number) < 1) throw new MalformedRecord('"version" must be a positive integer');
  if (typeof json.hash !== 'string' || json.hash.length === 0) throw new MalformedRecord('"hash" must be a non-empty string such as "xxh64:<hex>"');
  const record: DatasetRecord = { version: version as number, hash: json.hash };
  const declaredPath = optional(json, 'path', 'a string', (item) => typeof item === 'string');
  const size = optional(json, 'size', 'a whole number of bytes', isCount);
  const files = optional(json, 'files', 'a whole number', isCount);
  const rows = optional(json, 'rows', 'a whole number', isCount);
  const columns = optional(json, 'columns', 'a list of {"name", "type"}', isColumnList);
  const time = json.time === undefined || json.time === null ? undefined : parseStoreTime(json.time);
  if (time === undefined && json.time !== undefined && json.time !== null) throw new MalformedRecord('"time" must be an ISO 8601 string or epoch milliseconds');
  const git = optional(json, 'git', '{"commit", "branch", "dirty"}', isGitInfo);
  const note = optional(json, 'note', 'a string', (item) => typeof item === 'string');
  const problems = optional(json, 'problems', 'a list of strings', (item) => Array.isArray(item) && item.every((entry) => typeof entry === 'string'));
  if (declaredPath !== undefined) record.path = declaredPath as string;
  if (size !== undefined) record.size = size as number;
  if (files !== undefined) record.files = files as number;
  if (rows !== undefined) record.rows = rows as number;
  if (columns !== undefined) record.columns = (columns as DatasetColumn[]).map(({ name, type }) => ({ name, type }));
  if (time !== undefined) record.time = time;
  if (git !== undefined) record.git = pickGitInfo(git as JsonObject);
  if (note !== undefined) record.note = note as string;
  if (problems !== undefined) record.problems = problems as string[];
  return record;
}

/** `json[key]` when present and valid; undefined when absent or null; throws when present and not valid. */
function optional(json: JsonObject, key: string, expected: string, valid: (value: unknown) => boolean): unknown {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (!valid(value)) throw new MalformedRecord(`"${key}" must be ${expected}`);
  return value;
}

function isCount(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isColumnList(value: unknown): boolean {
  return Array.isArray(value) && value.every((column: unknown) => column !== null && typeof column === 'object' && typeof (column as JsonObject).name === 'string' && typeof (column as JsonObject).type === 'string');
}

function pickGitInfo(git: JsonObject): GitInfo {
  return Object.fromEntries(['commit', 'branch', 'dirty'].filter((key) => git[key] !== undefined).map((key) => [key, git[key]])) as GitInfo;
}

function isGitInfo(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { commit, branch, dirty } = value as JsonObject;
  return (commit === undefined || typeof commit === 'string') && (branch === undefined || typeof branch === 'string') && (dirty === undefined || typeof dirty === 'boolean');
}
