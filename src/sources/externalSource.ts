import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunSummary } from '../runs/runSummary.ts';

/** Where a run comes from: MLTrail's own store, or another tracker's files read in place (never written). */
export type RunSource = 'mltrail' | ExternalSourceKind;
export type ExternalSourceKind = 'mlflow' | 'dvclive';

export const RUN_SOURCES: readonly RunSource[] = ['mltrail', 'mlflow', 'dvclive'];

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
