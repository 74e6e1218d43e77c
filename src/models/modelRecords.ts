// The records of `<store>/models/<name>.jsonl` and their fold into a model's state (docs/models.md).
// No Node APIs here, so the extension's webviews can use the types and the fold.
import { put } from '../platform/dictionary.ts';
import { type JsonNumber, decodeJsonNumber } from '../platform/jsonNumbers.ts';
import { parseStoreTime } from '../platform/time.ts';
import { type DatasetInput, type GitInfo, type JsonObject, MalformedRecord, parseObjectLine } from '../runs/records.ts';

export type Stage = 'staging' | 'production' | 'archived' | 'none';
export const STAGES: readonly Stage[] = ['staging', 'production', 'archived', 'none'];

const MODEL_NAME = /^[A-Za-z0-9._-]+$/;

/** A model name is its records file's name: letters, digits, dot, underscore and hyphen; never "." or "..". */
export function isValidModelName(name: string): boolean {
  return MODEL_NAME.test(name) && name !== '.' && name !== '..';
}

/** A version as registered: the artifact's hash and what the run that made it knew. */
export interface VersionRecord {
  type: 'version';
  version: number;
  run: string;
  /** Relative to the workspace folder (or absolute when outside it), with `/` separators. */
  path: string;
  hash: string;
  size: number;
  /** The run's metrics when it was registered: the last value of each. */
  metrics: Record<string, JsonNumber>;
  datasets: DatasetInput[];
  git?: GitInfo;
  time: string;
  user: string;
}

export interface StageRecord {
  type: 'stage';
  version: number;
  stage: Stage;
  time: string;
  user: string;
  reason?: string;
  /** True when a promotion to production went through although the gate refused it. */
  forced: boolean;
  /** On the record that archives the production version: the version promoted to production in its place. */
  replacedBy?: number;
}

export interface AliasRecord {
  type: 'alias';
  alias: string;
  /** Null removes the alias. */
  version: number | null;
  time: string;
  user: string;
}

export type ModelRecord = VersionRecord | StageRecord | AliasRecord;

export interface ModelVersion {
  version: number;
  run: string;
  path: string;
  hash: string;
  size: number;
  metrics: Record<string, number>;
  datasets: DatasetInput[];
  git?: GitInfo;
  time: number;
  user: string;
  stage: Stage;
  aliases: string[];
}

/** One entry of the audit trail: a stage record, with the stage it moved the version from. */
export interface StageChange {
  version: number;
  stage: Stage;
  from: Stage;
  time: number;
  user: string;
  reason?: string;
  forced: boolean;
  replacedBy?: number;
}

export interface ModelLineProblem {
  line: number;
  message: string;
}

export interface ModelState {
  name: string;
  /** By version number. */
  versions: ModelVersion[];
  /** Stage changes in the order recorded. */
  history: StageChange[];
  aliases: Record<string, number>;
  production?: number;
  /** The version a rollback promotes: the one most recently archived by a promotion to production. */
  rollbackTarget?: number;
  problems: ModelLineProblem[];
}

export function findVersion(state: ModelState, version: number): ModelVersion | undefined {
  return state.versions.find((known) => known.version === version);
}

function requiredString(record: JsonObject, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) throw new MalformedRecord(`"${key}" must be a non-empty string`);
  return value;
}

function optionalString(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MalformedRecord(`"${key}" must be a string`);
  return value;
}

function versionNumber(value: unknown, key: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new MalformedRecord(`"${key}" must be a version number (1, 2, ...)`);
  return value as number;
}

function time(record: JsonObject): number {
  const parsed = parseStoreTime(record.time);
  if (parsed === undefined) throw new MalformedRecord('"time" must be an ISO 8601 string or epoch milliseconds');
  return parsed;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseMetrics(value: unknown): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new MalformedRecord('"metrics" must be an object of numbers');
  const metrics: Record<string, number> = {};
  for (const [name, raw] of Object.entries(value)) {
    const valid = typeof raw === 'number' || raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity';
    if (!valid) throw new MalformedRecord(`"metrics"."${name}" must be a number, "NaN", "Infinity" or "-Infinity"`);
    put(metrics, name, decodeJsonNumber(raw as JsonNumber));
  }
  return metrics;
}

function parseDatasets(value: unknown): DatasetInput[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedRecord('"datasets" must be a list of {"dataset", "version"}');
  return value.map((entry: unknown) => {
    if (!isObject(entry) || typeof entry.dataset !== 'string') throw new MalformedRecord('each of "datasets" needs a string "dataset"');
    if (entry.version === undefined || entry.version === null) return { dataset: entry.dataset };
    return { dataset: entry.dataset, version: versionNumber(entry.version, 'datasets[].version') };
  });
}

function parseGit(value: unknown): GitInfo | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new MalformedRecord('"git" must be an object');
  const git: GitInfo = {};
  const commit = optionalString(value, 'commit');
  const branch = optionalString(value, 'branch');
  if (commit !== undefined) git.commit = commit;
  if (branch !== undefined) git.branch = branch;
  if (typeof value.dirty === 'boolean') git.dirty = value.dirty;
  return git;
}

/**
 * Folds the records of one model, in file order. A line that is not a valid record, or that names a version not
 * registered before it, is skipped and reported; unknown record types and fields are ignored.
 */
export class ModelFold {
  private readonly state: ModelState;
  private readonly versions = new Map<number, ModelVersion>();

  constructor(name: string) {
    this.state = { name, versions: [], history: [], aliases: {}, problems: [] };
  }

  add(text: string, line: number): void {
    try {
      this.apply(text);
    } catch (error) {
      if (!(error instanceof MalformedRecord)) throw error;
      this.state.problems.push({ line, message: error.message });
    }
  }

  problem(line: number, message: string): void {
    this.state.problems.push({ line, message });
  }

  finish(): ModelState {
    const state = this.state;
    state.versions = [...this.versions.values()].sort((a, b) => a.version - b.version);
    for (const version of state.versions) version.aliases = [];
    for (const [alias, version] of Object.entries(state.aliases)) this.versions.get(version)?.aliases.push(alias);
    const production = state.versions.find((version) => version.stage === 'production');
    if (production) state.production = production.version;
    const replaced = state.history.findLast((change) => change.replacedBy !== undefined && change.version !== state.production);
    if (replaced) state.rollbackTarget = replaced.version;
    return state;
  }

  private apply(text: string): void {
    const value = parseObjectLine(text);
    switch (value.type) {
      case 'version':
        return this.applyVersion(value);
      case 'stage':
        return this.applyStage(value);
      case 'alias':
        return this.applyAlias(value);
      case undefined:
        throw new MalformedRecord('missing "type"');
      default:
        return;
    }
  }

  private applyVersion(record: JsonObject): void {
    const version = versionNumber(record.version, 'version');
    if (this.versions.has(version)) throw new MalformedRecord(`version ${version} is registered twice; this record is skipped`);
    const size = record.size;
    if (!Number.isInteger(size) || (size as number) < 0) throw new MalformedRecord('"size" must be a byte count');
    const registered: ModelVersion = {
      version,
      run: requiredString(record, 'run'),
      path: requiredString(record, 'path'),
      hash: requiredString(record, 'hash'),
      size: size as number,
      metrics: parseMetrics(record.metrics),
      datasets: parseDatasets(record.datasets),
      time: time(record),
      user: optionalString(record, 'user') ?? '',
      stage: 'none',
      aliases: [],
    };
    const git = parseGit(record.git);
    if (git) registered.git = git;
    this.versions.set(version, registered);
  }

  private applyStage(record: JsonObject): void {
    const target = this.knownVersion(record.version);
    const stage = record.stage;
    if (!STAGES.includes(stage as Stage)) throw new MalformedRecord(`"stage" must be one of ${STAGES.join(', ')}`);
    if (record.forced !== undefined && typeof record.forced !== 'boolean') throw new MalformedRecord('"forced" must be true or false');
    const change: StageChange = { version: target.version, stage: stage as Stage, from: target.stage, time: time(record), user: optionalString(record, 'user') ?? '', forced: record.forced === true };
    const reason = optionalString(record, 'reason');
    if (reason !== undefined) change.reason = reason;
    if (record.replacedBy !== undefined) change.replacedBy = versionNumber(record.replacedBy, 'replacedBy');
    if (change.stage === 'production') {
      // A writer that skipped the registry may leave two in production: the newer one wins.
      for (const other of this.versions.values()) if (other.stage === 'production') other.stage = 'archived';
    }
    target.stage = change.stage;
    this.state.history.push(change);
  }

  private applyAlias(record: JsonObject): void {
    const alias = requiredString(record, 'alias');
    if (record.version === null) {
      delete this.state.aliases[alias];
      return;
    }
    put(this.state.aliases, alias, this.knownVersion(record.version).version);
  }

  private knownVersion(value: unknown): ModelVersion {
    const version = versionNumber(value, 'version');
    const known = this.versions.get(version);
    if (!known) throw new MalformedRecord(`version ${version} is not registered (before this line)`);
    return known;
  }
}

