import { put } from '../platform/dictionary.ts';
import { formatParamValue } from '../platform/format.ts';
import { encodeMetricSummary } from './metricFold.ts';
import type { MetricView, RunDetailsModel } from './runDetailsProtocol.ts';
import type { RunSummary } from './runSummary.ts';

function formatValues(values: Record<string, unknown>): Record<string, string> {
  const formatted: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) put(formatted, key, formatParamValue(value));
  return formatted;
}

export function toRunDetailsModel(run: RunSummary, problemCount: number): RunDetailsModel {
  const metrics: Record<string, MetricView> = {};
  for (const [name, summary] of Object.entries(run.metrics)) put(metrics, name, encodeMetricSummary(summary));
  return {
    id: run.id,
    name: run.name,
    experiment: run.experiment,
    status: run.status,
    startTime: run.startTime ?? null,
    endTime: run.endTime ?? null,
    exitCode: run.exitCode ?? null,
    command: run.command ?? null,
    host: run.host ?? null,
    pid: run.pid ?? null,
    git: run.git ?? null,
    problemCount,
    source: run.source ?? null,
    params: formatValues(run.params),
    tags: formatValues(run.tags),
    metrics,
  };
}
