// The message contract of the run-details webview, imported by both sides (webviews/runs/runDetails.ts).
// No Node or DOM APIs here.
import { type MapDelta, applyMapDelta, diffFields, diffMap } from '../platform/delta.ts';
import type { EncodedMetricSummary } from './metricFold.ts';
import type { RunStatus } from './records.ts';
import type { ExternalSourceKind } from '../sources/sourceKinds.ts';

export type MetricView = EncodedMetricSummary;

export interface RunDetailsModel {
  id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  exitCode: number | null;
  command: string[] | null;
  host: string | null;
  pid: number | null;
  git: { commit?: string; branch?: string; dirty?: boolean } | null;
  /** Malformed lines skipped in this run's files (listed in the Problems panel). */
  problemCount: number;
  /** Set for a run read in place from another tracker's files: it has no run.jsonl or metrics.jsonl. */
  source: ExternalSourceKind | null;
  /** Values formatted for display: strings stay strings, everything else is compact JSON. */
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MetricView>;
}

const SCALAR_FIELDS = ['id', 'name', 'experiment', 'status', 'startTime', 'endTime', 'exitCode', 'command', 'host', 'pid', 'git', 'problemCount', 'source'] as const;
type ScalarFields = Pick<RunDetailsModel, (typeof SCALAR_FIELDS)[number]>;

export interface RunDetailsDelta {
  fields?: Partial<ScalarFields>;
  params?: MapDelta<string>;
  tags?: MapDelta<string>;
  metrics?: MapDelta<MetricView>;
}

export type ToRunDetails =
  | { type: 'init'; run: RunDetailsModel; state: RunDetailsState }
  | { type: 'update'; delta: RunDetailsDelta }
  | { type: 'removed' };

export type FromRunDetails =
  | { type: 'ready' }
  | { type: 'copyRunId' }
  | { type: 'revealRun' }
  | { type: 'openFile'; file: 'run.jsonl' | 'metrics.jsonl' };

/** What the webview saves with setState, so the panel can be restored after a window reload. */
export interface RunDetailsState {
  folder: string;
  runId: string;
}

export function diffRunDetails(previous: RunDetailsModel, next: RunDetailsModel): RunDetailsDelta | undefined {
  const delta: RunDetailsDelta = {};
  const fields = diffFields<ScalarFields>(previous, next, SCALAR_FIELDS);
  const params = diffMap(previous.params, next.params);
  const tags = diffMap(previous.tags, next.tags);
  const metrics = diffMap(previous.metrics, next.metrics);
  if (fields) delta.fields = fields;
  if (params) delta.params = params;
  if (tags) delta.tags = tags;
  if (metrics) delta.metrics = metrics;
  return Object.keys(delta).length > 0 ? delta : undefined;
}

export function applyRunDetailsDelta(model: RunDetailsModel, delta: RunDetailsDelta): RunDetailsModel {
  return {
    ...model,
    ...delta.fields,
    params: delta.params ? applyMapDelta(model.params, delta.params) : model.params,
    tags: delta.tags ? applyMapDelta(model.tags, delta.tags) : model.tags,
    metrics: delta.metrics ? applyMapDelta(model.metrics, delta.metrics) : model.metrics,
  };
}

/** Messages from a webview are untrusted input: accept only the exact shapes of the contract. */
export function isFromRunDetails(value: unknown): value is FromRunDetails {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'copyRunId':
    case 'revealRun':
      return Object.keys(message).length === 1;
    case 'openFile':
      return Object.keys(message).length === 2 && (message.file === 'run.jsonl' || message.file === 'metrics.jsonl');
    default:
      return false;
  }
}

export function isRunDetailsState(value: unknown): value is RunDetailsState {
  const state = value as RunDetailsState;
  return typeof state === 'object' && state !== null && typeof state.folder === 'string' && typeof state.runId === 'string';
}
