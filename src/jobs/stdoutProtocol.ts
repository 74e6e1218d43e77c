import { parseStoreTime } from '../platform/time.ts';

/**
 * A line a job prints to record something: a JSON object with the key "mltrail" naming the kind. Every other
 * line is plain log. See docs/jobs.md.
 */
export type ProtocolRecord =
  | { kind: 'metric'; name: string; step?: number; value: number; time?: number }
  | { kind: 'params'; values: Record<string, unknown> }
  | { kind: 'tags'; values: Record<string, unknown> }
  | { kind: 'input'; dataset: string; version?: number }
  | { kind: 'model'; name: string; path?: string };

export type ProtocolLine = { type: 'log' } | { type: 'record'; record: ProtocolRecord } | { type: 'malformed'; message: string };

const LOOKS_LIKE_PROTOCOL = /^\s*\{\s*"mltrail"\s*:/;
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** Reads one line (without its line end; a trailing CR is ignored). Never throws. */
export function parseProtocolLine(line: string): ProtocolLine {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.trimStart().startsWith('{')) return { type: 'log' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return LOOKS_LIKE_PROTOCOL.test(text) ? { type: 'malformed', message: `not valid JSON (${(error as Error).message})` } : { type: 'log' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, 'mltrail')) return { type: 'log' };
  try {
    return { type: 'record', record: parseRecord(value as Record<string, unknown>) };
  } catch (error) {
    return { type: 'malformed', message: (error as Error).message };
  }
}

function parseRecord(record: Record<string, unknown>): ProtocolRecord {
  const kind = record.mltrail;
  switch (kind) {
    case 'metric': {
      const name = requireString(record, 'name');
      const parsed: ProtocolRecord = { kind, name, value: parseMetricValue(record.value) };
      if (record.step !== undefined && record.step !== null) {
        if (typeof record.step !== 'number' || !Number.isFinite(record.step)) throw new Error('"step" must be a number');
        parsed.step = record.step;
      }
      if (record.time !== undefined && record.time !== null) {
        const time = parseStoreTime(record.time);
        if (time === undefined) throw new Error('"time" must be an ISO 8601 string or epoch milliseconds');
        parsed.time = time;
      }
      return parsed;
    }
    case 'params':
    case 'tags': {
      const values = record.values;
      if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error(`a "${kind}" record needs an object "values"`);
      return { kind, values: values as Record<string, unknown> };
    }
    case 'input': {
      const dataset = requireString(record, 'dataset');
      const version = record.version;
      if (version === undefined || version === null) return { kind, dataset };
      if (!Number.isInteger(version) || (version as number) <= 0) throw new Error('"version" must be a positive integer');
      return { kind, dataset, version: version as number };
    }
    case 'model': {
      const name = requireString(record, 'name');
      const path = record.path;
      if (path === undefined || path === null) return { kind, name };
      if (typeof path !== 'string' || path.length === 0) throw new Error('"path" must be a non-empty string');
      return { kind, name, path };
    }
    default:
      throw new Error(`unknown record "mltrail": ${JSON.stringify(kind)} (expected metric, params, tags, input or model)`);
  }
}

function requireString(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) throw new Error(`a "${String(record.mltrail)}" record needs a non-empty string "${key}"`);
  return value;
}

function parseMetricValue(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (raw === null) return Number.NaN;
  if (typeof raw === 'string' && Object.hasOwn(NON_FINITE, raw)) return NON_FINITE[raw] as number;
  throw new Error('"value" must be a number, null, "NaN", "Infinity" or "-Infinity"');
}
