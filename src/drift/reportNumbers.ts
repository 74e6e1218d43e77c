// Drift results hold infinities (a chi-square with a category only the current data has) and sometimes NaN; JSON
// has neither. Saved reports, `mltrail drift --json` and webview messages carry them as "Infinity", "-Infinity"
// and "NaN", the store's convention (src/platform/jsonNumbers.ts). No Node or DOM APIs: the webview uses it too.
import { type JsonNumber, decodeJsonNumber, encodeJsonNumber } from '../platform/jsonNumbers.ts';

/** Keys whose values are numbers that may be non-finite; only these are read back as numbers. */
const SCORE_KEYS = new Set(['statistic', 'pValue', 'threshold', 'mean', 'std', 'bound', 'at']);
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** A JSON.stringify replacer: every non-finite number becomes its string. */
export function encodeNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? encodeJsonNumber(value) : value;
}

/** A JSON.parse reviver: the score fields' strings become numbers again (labels and names stay text). */
export function reviveNonFinite(key: string, value: unknown): unknown {
  return SCORE_KEYS.has(key) && typeof value === 'string' && NON_FINITE.has(value) ? decodeJsonNumber(value as JsonNumber) : value;
}

/** A deep copy safe for any JSON channel, and its inverse. */
export function toJsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, encodeNonFinite)) as T;
}

export function fromJsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), reviveNonFinite) as T;
}
