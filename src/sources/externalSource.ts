import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunSummary } from '../runs/runSummary.ts';

import type { ExternalSourceKind } from './sourceKinds.ts';

export { type ExternalSourceKind, RUN_SOURCES, type RunSource } from './sourceKinds.ts';

/** One place another tracker keeps runs. */
export interface SourceLocation {
  kind: ExternalSourceKind;
  /** Absolute: an `mlruns` directory, an `mlflow.db` file, or a DVCLive directory. */
  path: string;
  /** How it was found: at the workspace root, or listed in mltrail.json's "sources". */
  origin: 'detected' | 'configured';
}

/** Something a reader could not take in; the rest of the source still loads. */
export interface SourceProblem {
  /** Absolute path of the file the problem is in. */
  path: string;
  /** 1-based, when the problem is at a line. */
  line?: number;
  message: string;
}

export interface SourceSnapshot {
  runs: RunSummary[];
  problems: SourceProblem[];
}

/** A read-only view of one location. Run ids are prefixed by the source (`mlflow:<run_uuid>`, `dvclive:<dir>`). */
export interface ExternalSource {
  readonly location: SourceLocation;
  /** Reads every run's summary (params, tags, metric summaries, status). */
  load(): Promise<SourceSnapshot>;
  /** Every point of one metric of one run; undefined when the run or the metric does not exist. */
  readSeries(runId: string, metric: string): Promise<MetricSeries | undefined>;
}
