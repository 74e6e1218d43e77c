// The shapes of drift results and saved reports, with no Node APIs: the report webview imports them too.
import type { Binning, ColumnType, DriftMethod } from './columnDrift.ts';
import type { ColumnDetail } from './columnDetail.ts';

export interface SideCounts {
  values: number;
  missing: number;
  infinite: number;
}

export interface ColumnResult {
  name: string;
  type: ColumnType;
  method: DriftMethod;
  /** The test statistic, or the distance. */
  statistic: number;
  /** Tests only; corrected when a correction was asked for. */
  pValue?: number;
  /** Compared with the p-value for tests, with the statistic for distances. */
  threshold: number;
  drift: boolean;
  reference: SideCounts;
  current: SideCounts;
}

export interface SkippedColumn {
  name: string;
  reason: string;
}

export interface ColumnOptions {
  method?: DriftMethod | 'auto';
  threshold?: number;
  type?: ColumnType;
}

export interface DriftOptions extends ColumnOptions {
  /** Options of single columns, by name. */
  columnOptions?: Record<string, ColumnOptions>;
  /** Only these columns (all that both tables have, by default). */
  only?: readonly string[];
  binning?: Binning;
  /** Across the columns whose method is a test: adjust their p-values before comparing with the threshold. */
  correction?: 'none' | 'bonferroni' | 'benjamini-hochberg';
  /** The dataset drifts when at least this share of its columns do (Evidently: 0.5). */
  driftShare?: number;
}

export interface DatasetDrift {
  columns: ColumnResult[];
  skipped: SkippedColumn[];
  drifted: number;
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

/** `1h`, `6h`, `1d`, `7d`, `30m`: a duration; a plain number: that many rows per chunk. */
export type ChunkWindow = { milliseconds: number; label: string } | { rows: number };

export interface Chunk {
  /** Epoch ms of the chunk's window, for time windows; the first and last row index otherwise. */
  start: number;
  end: number;
  rows: number;
  result: DatasetDrift;
}

export interface ChunkBaseline {
  column: string;
  mean: number;
  std: number;
  /** A chunk is flagged past this bound: above it for distances, below it for p-values. */
  bound: number;
}

export interface DriftOverTime {
  window: ChunkWindow;
  chunks: Chunk[];
  /** With the `chunks` baseline: per column, what the reference's own chunks scored. */
  baseline?: ChunkBaseline[];
  /** Rows of the current data without a readable time, left out of every chunk. */
  untimedRows: number;
}


export interface TableSummary {
  file: string;
  rows: number;
  columns: number;
  /** Lines of the file that could not be read as they are (1-based), the first ones only. */
  problems: Array<{ line: number; message: string }>;
}

export interface DriftJobResult {
  reference: TableSummary;
  current: TableSummary;
  drift: DatasetDrift;
  details: Record<string, ColumnDetail>;
  overTime?: DriftOverTime;
}

/** A table as a report names it: the file, and the dataset version it came from when it was given as one. */
export interface ReportTable extends TableSummary {
  dataset?: { name: string; version: number };
}

/** What `.mltrail/drift/<id>.json` holds: everything the report view draws, so it opens without the data files. */
export interface DriftReport {
  format: number;
  id: string;
  /** ISO 8601. */
  time: string;
  reference: ReportTable;
  current: ReportTable;
  options: DriftOptions & { timeColumn?: string; window?: string; baseline?: 'threshold' | 'chunks' };
  datasetDrift: boolean;
  driftShare: number;
  share: number;
  drifted: number;
  columns: ColumnResult[];
  skipped: SkippedColumn[];
  details: Record<string, ColumnDetail>;
  overTime?: DriftOverTime;
}
