// The message contract of the compare webview, imported by both sides (webviews/compare/). No Node or DOM APIs.
import type { EncodedMetricSummary } from '../runs/metricFold.ts';
import type { RunStatus } from '../runs/records.ts';
import type { ExternalSourceKind } from '../sources/sourceKinds.ts';

export type XAxis = 'step' | 'relative' | 'wall';
export type YScale = 'linear' | 'log';
export const X_AXES: readonly XAxis[] = ['step', 'relative', 'wall'];

/** A compared run as the table shows it. `key` identifies it in every message (unique within the panel). */
export interface CompareRunData {
  key: string;
  id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  source?: ExternalSourceKind;
  startTime?: number;
  endTime?: number;
  params: Record<string, unknown>;
  metrics: Record<string, EncodedMetricSummary>;
}

/** What the user chose in the panel; kept per workspace and restored with the panel. */
export interface CompareSettings {
  onlyDiffering: boolean;
  hiddenColumns: string[];
  sort: { column: string; descending: boolean } | null;
  baseline: string | null;
  xAxis: XAxis;
  yScale: YScale;
  /** EMA weight in [0, 0.999]; 0 is off. */
  smoothing: number;
  /** Runs hidden from the charts by a click on their legend entry. */
  hiddenRuns: string[];
  scatterParam: string | null;
  scatterMetric: string | null;
  parallelMetric: string | null;
}

/** One run's series of one metric, reduced in the extension host; `band` is present when points were dropped. */
export interface SeriesPayload {
  run: string;
  x: number[];
  y: number[];
  band?: { x: number[]; min: number[]; max: number[] };
  /** Points in the requested range before reduction. */
  total: number;
}

export type ToCompare =
  | { type: 'init'; runs: CompareRunData[]; settings: CompareSettings }
  | { type: 'runs'; upsert: CompareRunData[]; removed: string[] }
  | { type: 'series'; requestId: number; metric: string; xAxis: XAxis; range: [number, number] | null; series: SeriesPayload[] }
  | { type: 'append'; metric: string; xAxis: XAxis; points: Array<{ run: string; x: number[]; y: number[] }> }
  | { type: 'exported'; path: string };

export type FromCompare =
  | { type: 'ready' }
  | { type: 'requestSeries'; requestId: number; metric: string; xAxis: XAxis; range: [number, number] | null }
  | { type: 'releaseSeries'; metric: string }
  | { type: 'settings'; settings: Partial<CompareSettings> }
  | { type: 'copy'; format: 'csv' | 'markdown'; text: string }
  | { type: 'exportPng'; name: string; dataUrl: string }
  | { type: 'openRun'; run: string }
  | { type: 'removeRun'; run: string }
  | { type: 'addRuns' };

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = {
  onlyDiffering: false,
  hiddenColumns: [],
  sort: null,
  baseline: null,
  xAxis: 'step',
  yScale: 'linear',
  smoothing: 0.6,
  hiddenRuns: [],
  scatterParam: null,
  scatterMetric: null,
  parallelMetric: null,
};

/** The largest text or image a webview may hand to the host (a copied table, a chart PNG). */
const MAX_PAYLOAD_CHARS = 64 * 1024 * 1024;

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isNullableString = (value: unknown) => value === null || isString(value);

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function isRange(value: unknown): value is [number, number] | null {
  return value === null || (Array.isArray(value) && value.length === 2 && value.every((bound) => typeof bound === 'number' && Number.isFinite(bound)) && value[0] <= value[1]);
}

const SETTING_CHECKS: { [K in keyof CompareSettings]: (value: unknown) => boolean } = {
  onlyDiffering: (value) => typeof value === 'boolean',
  hiddenColumns: isStringArray,
  sort: (value) => value === null || (typeof value === 'object' && isString((value as { column: unknown }).column) && typeof (value as { descending: unknown }).descending === 'boolean' && hasOnlyKeys(value as Record<string, unknown>, ['column', 'descending'])),
  baseline: isNullableString,
  xAxis: (value) => X_AXES.includes(value as XAxis),
  yScale: (value) => value === 'linear' || value === 'log',
  smoothing: (value) => typeof value === 'number' && value >= 0 && value < 1,
  hiddenRuns: isStringArray,
  scatterParam: isNullableString,
  scatterMetric: isNullableString,
  parallelMetric: isNullableString,
};

export function isPartialCompareSettings(value: unknown): value is Partial<CompareSettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, setting]) => Object.hasOwn(SETTING_CHECKS, key) && SETTING_CHECKS[key as keyof CompareSettings](setting));
}

/** Messages from a webview are untrusted input: accept only the exact shapes of the contract. */
export function isFromCompare(value: unknown): value is FromCompare {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'addRuns':
      return hasOnlyKeys(message, ['type']);
    case 'requestSeries':
      return hasOnlyKeys(message, ['type', 'requestId', 'metric', 'xAxis', 'range']) && Number.isInteger(message.requestId) && isString(message.metric) && X_AXES.includes(message.xAxis as XAxis) && isRange(message.range);
    case 'releaseSeries':
      return hasOnlyKeys(message, ['type', 'metric']) && isString(message.metric);
    case 'settings':
      return hasOnlyKeys(message, ['type', 'settings']) && isPartialCompareSettings(message.settings);
    case 'copy':
      return hasOnlyKeys(message, ['type', 'format', 'text']) && (message.format === 'csv' || message.format === 'markdown') && isString(message.text) && message.text.length <= MAX_PAYLOAD_CHARS;
    case 'exportPng':
      return hasOnlyKeys(message, ['type', 'name', 'dataUrl']) && isString(message.name) && isString(message.dataUrl) && message.dataUrl.startsWith('data:image/png;base64,') && message.dataUrl.length <= MAX_PAYLOAD_CHARS;
    case 'openRun':
    case 'removeRun':
      return hasOnlyKeys(message, ['type', 'run']) && isString(message.run);
    default:
      return false;
  }
}

/** Settings as saved may be from an older version or edited by hand: keep what is valid, default the rest. */
export function sanitizeSettings(saved: unknown): CompareSettings {
  const settings: CompareSettings = { ...DEFAULT_COMPARE_SETTINGS };
  if (typeof saved !== 'object' || saved === null) return settings;
  for (const [key, value] of Object.entries(saved)) {
    if (Object.hasOwn(SETTING_CHECKS, key) && SETTING_CHECKS[key as keyof CompareSettings](value)) (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return settings;
}
