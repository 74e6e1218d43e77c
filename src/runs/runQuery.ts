import { get } from '../platform/dictionary.ts';
import { formatParamValue } from '../platform/format.ts';
import type { MetricSummary } from './metricFold.ts';
import { RUN_STATUSES, type RunStatus } from './records.ts';
import type { RunSummary } from './runSummary.ts';

export interface RunFilter {
  experiments?: readonly string[];
  statuses?: readonly RunStatus[];
  /** Case-insensitive; matched against name, id, experiment, param and tag names and values. */
  text?: string;
}

export type RunSortKey = 'started' | 'name' | 'status' | 'metric';

export interface RunSort {
  key: RunSortKey;
  descending: boolean;
}

export const DEFAULT_SORT: RunSort = { key: 'started', descending: true };

const SORT_KEYS: readonly RunSortKey[] = ['started', 'name', 'status', 'metric'];

/** A sort or filter given as a command argument (a keybinding's `args`): exactly the documented shape. */
export function isRunSort(value: unknown): value is RunSort {
  const sort = value as RunSort;
  return typeof sort === 'object' && sort !== null && SORT_KEYS.includes(sort.key) && typeof sort.descending === 'boolean';
}

export function isRunFilter(value: unknown): value is RunFilter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const filter = value as Record<string, unknown>;
  const stringArray = (item: unknown) => item === undefined || (Array.isArray(item) && item.every((entry) => typeof entry === 'string'));
  return (
    Object.keys(filter).every((key) => key === 'statuses' || key === 'experiments' || key === 'text') &&
    stringArray(filter.experiments) &&
    stringArray(filter.statuses) &&
    ((filter.statuses as unknown[] | undefined) ?? []).every((status) => RUN_STATUSES.includes(status as RunStatus)) &&
    (filter.text === undefined || typeof filter.text === 'string')
  );
}


export function isFilterActive(filter: RunFilter): boolean {
  return (filter.experiments?.length ?? 0) > 0 || (filter.statuses?.length ?? 0) > 0 || (filter.text?.trim().length ?? 0) > 0;
}

export function describeFilter(filter: RunFilter): string {
  const parts: string[] = [];
  if (filter.experiments?.length) parts.push(`experiment: ${filter.experiments.join(', ')}`);
  if (filter.statuses?.length) parts.push(`status: ${filter.statuses.join(', ')}`);
  if (filter.text?.trim()) parts.push(`"${filter.text.trim()}"`);
  return parts.join(' · ');
}

export function matchesFilter(run: RunSummary, filter: RunFilter): boolean {
  if (filter.experiments?.length && !filter.experiments.includes(run.experiment)) return false;
  if (filter.statuses?.length && !filter.statuses.includes(run.status)) return false;
  const text = filter.text?.trim().toLowerCase();
  if (!text) return true;
  const haystacks = [run.name, run.id, run.experiment];
  for (const values of [run.params, run.tags]) {
    for (const [key, value] of Object.entries(values)) haystacks.push(key, formatParamValue(value));
  }
  return haystacks.some((haystack) => haystack.toLowerCase().includes(text));
}

/** The metric shown beside a run: the one the workspace names when the run has it, else the run's first. */
export function keyMetricOf(run: RunSummary, configured?: string): { name: string; summary: MetricSummary } | undefined {
  if (configured !== undefined) {
    const summary = get(run.metrics, configured);
    return summary ? { name: configured, summary } : undefined;
  }
  const [first] = Object.entries(run.metrics);
  return first ? { name: first[0], summary: first[1] } : undefined;
}

const STATUS_ORDER: Record<RunStatus, number> = { running: 0, lost: 1, failed: 2, killed: 3, finished: 4 };

/** Sorts in place and returns the array. Runs missing the sort value go last whatever the direction. */
export function sortRuns(runs: RunSummary[], sort: RunSort, keyMetric?: string): RunSummary[] {
  const direction = sort.descending ? -1 : 1;
  const value = (run: RunSummary): number | string | undefined => {
    switch (sort.key) {
      case 'started':
        return run.startTime;
      case 'name':
        return run.name.toLowerCase();
      case 'status':
        return STATUS_ORDER[run.status];
      case 'metric': {
        const last = keyMetricOf(run, keyMetric)?.summary.last;
        return last === undefined || Number.isNaN(last) ? undefined : last;
      }
    }
  };
  const keyed = runs.map((run) => ({ run, value: value(run) }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value === b.value) return a.run.id < b.run.id ? -1 : a.run.id > b.run.id ? 1 : 0;
      return a.value === undefined ? 1 : -1;
    }
    if (a.value < b.value) return -direction;
    if (a.value > b.value) return direction;
    return a.run.id < b.run.id ? direction : a.run.id > b.run.id ? -direction : 0;
  });
  keyed.forEach((item, index) => {
    runs[index] = item.run;
  });
  return runs;
}

/** Experiment names with their runs, in name order. */
export function groupByExperiment(runs: readonly RunSummary[]): Map<string, RunSummary[]> {
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const group = groups.get(run.experiment);
    if (group) group.push(run);
    else groups.set(run.experiment, [run]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
