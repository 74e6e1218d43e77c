import type { ExternalSourceKind } from '../sources/externalSource.ts';
import type { MetricSummary } from './metricFold.ts';
import type { RunRecordState, RunStatus } from './records.ts';
import type { RunEntry } from './runReader.ts';

/** A run as views and the CLI show it: its records folded, defaults applied, status resolved. */
export interface RunSummary extends Omit<RunRecordState, 'endStatus' | 'experiment' | 'name'> {
  id: string;
  experiment: string;
  name: string;
  status: RunStatus;
  /** In the order metrics first appeared in the run. */
  metrics: Record<string, MetricSummary>;
  /** Absent for MLTrail's own runs; set for runs read in place from another tracker's files. */
  source?: ExternalSourceKind;
}

export const DEFAULT_EXPERIMENT = 'default';

export interface LivenessCheck {
  hostname: string;
  isAlive(pid: number, runStartedAt?: number): boolean;
}

/** `end` decides; without one a run is running, unless it was started on this host by a process that is gone. */
export function resolveStatus(record: RunRecordState, liveness: LivenessCheck): RunStatus {
  if (record.endStatus) return record.endStatus;
  if (record.host === liveness.hostname && record.pid !== undefined && !liveness.isAlive(record.pid, record.startTime)) return 'lost';
  return 'running';
}

const ID_TIME = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/;

/** Runs named the way MLTrail's writers name them carry their start time even without a start record. */
function startTimeFromId(id: string): number | undefined {
  const match = ID_TIME.exec(id);
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match.map(Number) as number[];
  const time = Date.UTC(year!, month! - 1, day!, hours!, minutes!, seconds!);
  return Number.isNaN(time) ? undefined : time;
}

export function summarizeRun(entry: RunEntry, liveness: LivenessCheck): RunSummary {
  const { endStatus: _endStatus, experiment, name, ...record } = entry.record;
  const summary: RunSummary = {
    ...record,
    id: entry.id,
    experiment: experiment || DEFAULT_EXPERIMENT,
    name: name || entry.id,
    status: resolveStatus(entry.record, liveness),
    metrics: entry.metrics,
  };
  const startTime = record.startTime ?? startTimeFromId(entry.id);
  if (startTime !== undefined) summary.startTime = startTime;
  return summary;
}
