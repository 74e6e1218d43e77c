import path from 'node:path';
import { type FileCursor, readNewLines } from '../platform/jsonlCursor.ts';
import { METRICS_FILE, RUN_FILE } from '../store/layout.ts';
import { MetricFold, type MetricSummary } from './metricFold.ts';
import { MalformedRecord, type RunRecordState, applyRunLine, emptyRunRecordState, parseMetricLine } from './records.ts';

export type StoreFileName = typeof RUN_FILE | typeof METRICS_FILE;

/** A line a reader skipped, with why. */
export interface LineProblem {
  file: StoreFileName;
  line: number;
  message: string;
}

/** Everything the index knows of one run, and where it stopped reading each of its files. */
export interface RunEntry {
  id: string;
  record: RunRecordState;
  metrics: Record<string, MetricSummary>;
  /** Metrics whose steps did not strictly increase: re-folded from the whole file when that happens again. */
  exactMetrics: string[];
  runFile?: FileCursor;
  metricsFile?: FileCursor;
  problems: LineProblem[];
  /** How many more problems each file had than the ones kept. */
  droppedProblems: Partial<Record<StoreFileName, number>>;
}

const MAX_PROBLEMS_PER_FILE = 50;

/**
 * Reads a run directory, or only what was appended to it since `previous`. Returns undefined when the directory
 * holds neither store file (not a run, or a run deleted since).
 */
export function readRun(dir: string, id: string, previous?: RunEntry): RunEntry | undefined {
  const run = readRunFile(path.join(dir, RUN_FILE), previous);
  const metrics = readMetricsFile(path.join(dir, METRICS_FILE), previous);
  const hasProblems = run.problems.kept.length + metrics.problems.kept.length > 0;
  if (!run.cursor && !metrics.cursor && !hasProblems) return undefined;
  return {
    id,
    record: run.record,
    metrics: metrics.summaries,
    exactMetrics: metrics.exactMetrics,
    runFile: run.cursor,
    metricsFile: metrics.cursor,
    problems: [...run.problems.kept, ...metrics.problems.kept],
    droppedProblems: { ...run.problems.droppedCount(), ...metrics.problems.droppedCount() },
  };
}

class ProblemList {
  kept: LineProblem[];
  dropped: number;
  private readonly file: StoreFileName;

  constructor(file: StoreFileName, previous: RunEntry | undefined) {
    this.file = file;
    this.kept = previous ? previous.problems.filter((problem) => problem.file === file) : [];
    this.dropped = previous?.droppedProblems[file] ?? 0;
  }

  droppedCount(): Partial<Record<StoreFileName, number>> {
    return this.dropped > 0 ? { [this.file]: this.dropped } : {};
  }

  add(line: number, message: string): void {
    if (this.kept.length < MAX_PROBLEMS_PER_FILE) this.kept.push({ file: this.file, line, message });
    else this.dropped += 1;
  }

  clear(): void {
    this.kept = [];
    this.dropped = 0;
  }
}

/**
 * A store file that exists but cannot be read (a directory, a symlink loop, no permission) becomes one problem of
 * its run, at line 0, and is tried again on the next scan; it never stops the rest of the store from loading.
 */
function unreadable(file: StoreFileName, error: unknown): ProblemList {
  if (typeof (error as NodeJS.ErrnoException)?.code !== 'string') throw error;
  const problems = new ProblemList(file, undefined);
  problems.add(0, `cannot read this file (${(error as Error).message})`);
  return problems;
}

function overlongMessage(bytes: number): string {
  return `line of ${(bytes / 1048576).toFixed(1)} MiB is longer than a record can be; skipped`;
}

function readRunFile(file: string, previous: RunEntry | undefined) {
  let record = previous ? structuredClone(previous.record) : emptyRunRecordState();
  const problems = new ProblemList(RUN_FILE, previous);
  let result;
  try {
    result = readNewLines(file, previous?.runFile, {
      line(text, line) {
        try {
          applyRunLine(record, text);
        } catch (error) {
          if (!(error instanceof MalformedRecord)) throw error;
          problems.add(line, error.message);
        }
      },
      restart() {
        record = emptyRunRecordState();
        problems.clear();
      },
      overlong: (line, bytes) => problems.add(line, overlongMessage(bytes)),
    });
  } catch (error) {
    return { record: emptyRunRecordState(), cursor: undefined, problems: unreadable(RUN_FILE, error) };
  }
  if (!result) return { record: emptyRunRecordState(), cursor: undefined, problems: new ProblemList(RUN_FILE, undefined) };
  return { record, cursor: result.cursor, problems };
}

function readMetricsFile(file: string, previous: RunEntry | undefined) {
  const exact = new Set(previous?.exactMetrics ?? []);
  let base = previous;
  // Rewritten steps found in one pass make the next pass read the whole file with those metrics exact. A pass
  // from the start finds every such metric at once, so this runs at most three times.
  for (;;) {
    let fold = new MetricFold(base?.metrics, exact);
    const problems = new ProblemList(METRICS_FILE, base);
    let result;
    try {
      result = readNewLines(file, base?.metricsFile, {
        line(text, line) {
          try {
            fold.add(parseMetricLine(text));
          } catch (error) {
            if (!(error instanceof MalformedRecord)) throw error;
            problems.add(line, error.message);
          }
        },
        restart() {
          fold = new MetricFold({}, exact);
          problems.clear();
        },
        overlong: (line, bytes) => problems.add(line, overlongMessage(bytes)),
      });
    } catch (error) {
      return { summaries: {}, exactMetrics: [], cursor: undefined, problems: unreadable(METRICS_FILE, error) };
    }
    if (!result) return { summaries: {}, exactMetrics: [], cursor: undefined, problems: new ProblemList(METRICS_FILE, undefined) };
    if (fold.needsExact.size === 0) return { summaries: fold.finish(), exactMetrics: [...exact], cursor: result.cursor, problems };
    for (const metric of fold.needsExact) exact.add(metric);
    base = undefined;
  }
}
