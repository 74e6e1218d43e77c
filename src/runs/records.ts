import { merge } from '../platform/dictionary.ts';
import { parseStoreTime } from '../platform/time.ts';

/** How a run ended, as its `end` record says. */
export type EndStatus = 'finished' | 'failed' | 'killed';
/** What a reader concludes: an end status, or `running`, or `lost` (started on this host by a process that is gone). */
export type RunStatus = EndStatus | 'running' | 'lost';

export const END_STATUSES: readonly EndStatus[] = ['finished', 'failed', 'killed'];
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'killed', 'lost'];

export interface GitInfo {
  commit?: string;
  branch?: string;
  dirty?: boolean;
}

/** The fold of a run's `run.jsonl`: later records win, params and tags are merged. */
export interface RunRecordState {
  experiment?: string;
  name?: string;
  startTime?: number;
  endTime?: number;
  endStatus?: EndStatus;
  exitCode?: number;
  command?: string[];
  host?: string;
  pid?: number;
  git?: GitInfo;
  params: Record<string, unknown>;
  tags: Record<string, unknown>;
  /** Dataset versions the run read, from its `input` records, in the order recorded (each pair once). */
  inputs?: DatasetInput[];
}

export interface DatasetInput {
  dataset: string;
  /** Absent when the writer did not know the version (the dataset's latest at the time, unrecorded). */
  version?: number;
}

export function emptyRunRecordState(): RunRecordState {
  return { params: {}, tags: {} };
}

/** Thrown for a line that is not a valid record; the reader skips the line and reports the message with file:line. */
export class MalformedRecord extends Error {}

export type JsonObject = Record<string, unknown>;

/** One line of a store JSONL file as a JSON object; anything else throws MalformedRecord. */
export function parseObjectLine(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MalformedRecord(`not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MalformedRecord('not a JSON object');
  return value as JsonObject;
}

function optionalString(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MalformedRecord(`"${key}" must be a string`);
  return value;
}

function optionalTime(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  const time = parseStoreTime(value);
  if (time === undefined) throw new MalformedRecord(`"${key}" must be an ISO 8601 string or epoch milliseconds`);
  return time;
}

function optionalObject(record: JsonObject, key: string): JsonObject | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new MalformedRecord(`"${key}" must be an object`);
  return value as JsonObject;
}

function parseCommand(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value as string[];
  throw new MalformedRecord('"command" must be an array of strings or a string');
}

function parseGit(record: JsonObject): GitInfo | undefined {
  const git = optionalObject(record, 'git');
  if (!git) return undefined;
  const dirty = git.dirty;
  if (dirty !== undefined && dirty !== null && typeof dirty !== 'boolean') throw new MalformedRecord('"git.dirty" must be true or false');
  const info: GitInfo = {};
  const commit = optionalString(git, 'commit');
  const branch = optionalString(git, 'branch');
  if (commit !== undefined) info.commit = commit;
  if (branch !== undefined) info.branch = branch;
  if (typeof dirty === 'boolean') info.dirty = dirty;
  return info;
}

/**
 * Folds one line of `run.jsonl` into `state`. Unknown record types and unknown fields are ignored (newer writers
 * may add them); a known record with a wrong field type throws MalformedRecord and changes nothing.
 */
export function applyRunLine(state: RunRecordState, text: string): void {
  const record = parseObjectLine(text);
  const type = record.type;
  if (typeof type !== 'string') throw new MalformedRecord('missing "type"');
  switch (type) {
    case 'start': {
      const experiment = optionalString(record, 'experiment');
      const name = optionalString(record, 'name');
      const startTime = optionalTime(record, 'time');
      const command = parseCommand(record.command);
      const host = optionalString(record, 'host');
      const pid = record.pid;
      if (pid !== undefined && pid !== null && !(Number.isInteger(pid) && (pid as number) > 0)) {
        throw new MalformedRecord('"pid" must be a positive integer');
      }
      const git = parseGit(record);
      if (experiment !== undefined) state.experiment = experiment;
      if (name !== undefined) state.name = name;
      if (startTime !== undefined) state.startTime = startTime;
      if (command !== undefined) state.command = command;
      if (host !== undefined) state.host = host;
      if (typeof pid === 'number') state.pid = pid;
      if (git !== undefined) state.git = git;
      return;
    }
    case 'params':
    case 'tags': {
      const values = optionalObject(record, 'values');
      if (!values) throw new MalformedRecord(`a "${type}" record needs an object "values"`);
      merge(type === 'params' ? state.params : state.tags, values as Record<string, unknown>);
      return;
    }
    case 'end': {
      const status = record.status;
      if (status !== undefined && !END_STATUSES.includes(status as EndStatus)) {
        throw new MalformedRecord(`"status" must be one of ${END_STATUSES.join(', ')}`);
      }
      const endTime = optionalTime(record, 'time');
      const exitCode = record.exitCode;
      if (exitCode !== undefined && exitCode !== null && !Number.isInteger(exitCode)) {
        throw new MalformedRecord('"exitCode" must be an integer');
      }
      state.endStatus = (status as EndStatus | undefined) ?? (typeof exitCode === 'number' && exitCode !== 0 ? 'failed' : 'finished');
      if (endTime !== undefined) state.endTime = endTime;
      if (typeof exitCode === 'number') state.exitCode = exitCode;
      return;
    }
    case 'input': {
      const dataset = optionalString(record, 'dataset');
      if (!dataset) throw new MalformedRecord('an "input" record needs a string "dataset"');
      const version = record.version;
      if (version !== undefined && version !== null && !(Number.isInteger(version) && (version as number) > 0)) {
        throw new MalformedRecord('"version" must be a positive integer');
      }
      const input: DatasetInput = typeof version === 'number' ? { dataset, version } : { dataset };
      const inputs = (state.inputs ??= []);
      if (!inputs.some((known) => known.dataset === input.dataset && known.version === input.version)) inputs.push(input);
      return;
    }
    default:
      return;
  }
}

/** One line of `metrics.jsonl`, validated. `step` is undefined when the writer left it out. */
export interface MetricPoint {
  name: string;
  step: number | undefined;
  value: number;
  time: number | undefined;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function parseMetricLine(text: string): MetricPoint {
  const record = parseObjectLine(text);
  const name = record.name;
  if (typeof name !== 'string' || name.length === 0) throw new MalformedRecord('a metric needs a non-empty string "name"');
  const step = record.step;
  if (step !== undefined && step !== null && !(typeof step === 'number' && Number.isFinite(step))) {
    throw new MalformedRecord('"step" must be a number');
  }
  const raw = record.value;
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (raw === null) value = Number.NaN;
  else if (typeof raw === 'string' && raw in NON_FINITE) value = NON_FINITE[raw] as number;
  else throw new MalformedRecord('"value" must be a number, null, "NaN", "Infinity" or "-Infinity"');
  return { name, step: typeof step === 'number' ? step : undefined, value, time: optionalTime(record, 'time') };
}

/** A metric line, or undefined when it is malformed: for readers that skip such lines (the index reports them). */
export function parseMetricLineOrSkip(text: string): MetricPoint | undefined {
  try {
    return parseMetricLine(text);
  } catch (error) {
    if (error instanceof MalformedRecord) return undefined;
    throw error;
  }
}
