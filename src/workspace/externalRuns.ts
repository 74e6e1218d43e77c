import type { IndexChange } from '../runs/runIndex.ts';
import type { MetricSeries } from '../runs/metricSeries.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import type { ExternalSource, SourceProblem } from '../sources/externalSource.ts';

/** A cheap fingerprint of a run summary: a changed one is reported as updated. */
function signature(run: RunSummary): string {
  const metrics = Object.entries(run.metrics).map(([name, summary]) => `${name}:${summary.step}:${summary.count}:${summary.last}`);
  return JSON.stringify([run.status, run.name, run.experiment, run.endTime, run.params, run.tags, metrics]);
}

/**
 * The runs of a workspace folder that other trackers keep (MLflow, DVCLive), read in place and never written.
 * Each reload diffs against the previous one, so listeners hear of added, changed and removed runs as they do
 * for the store's own runs.
 */
export class ExternalRuns {
  private readonly sources: readonly ExternalSource[];
  private runs = new Map<string, { run: RunSummary; source: ExternalSource; signature: string }>();
  private sourceProblems: SourceProblem[] = [];
  private pending: Promise<IndexChange> | undefined;

  constructor(sources: readonly ExternalSource[]) {
    this.sources = sources;
  }

  get locations(): readonly ExternalSource['location'][] {
    return this.sources.map((source) => source.location);
  }

  get isEmpty(): boolean {
    return this.sources.length === 0;
  }

  list(): RunSummary[] {
    return [...this.runs.values()].map((entry) => entry.run);
  }

  get(id: string): RunSummary | undefined {
    return this.runs.get(id)?.run;
  }

  problems(): readonly SourceProblem[] {
    return this.sourceProblems;
  }

  /** Reads every source again; concurrent calls share one read. A source that fails is a problem, not an error. */
  load(): Promise<IndexChange> {
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async readSeries(id: string, metric: string): Promise<MetricSeries | undefined> {
    const entry = this.runs.get(id);
    return entry ? entry.source.readSeries(id, metric) : undefined;
  }

  private async read(): Promise<IndexChange> {
    const snapshots = await Promise.all(
      this.sources.map(async (source) => {
        try {
          return { source, snapshot: await source.load() };
        } catch (error) {
          return { source, snapshot: { runs: [], problems: [{ path: source.location.path, message: `could not read ${source.location.kind} runs: ${(error as Error).message}` }] } };
        }
      }),
    );
    const next = new Map<string, { run: RunSummary; source: ExternalSource; signature: string }>();
    const problems: SourceProblem[] = [];
    for (const { source, snapshot } of snapshots) {
      problems.push(...snapshot.problems);
      for (const run of snapshot.runs) if (!next.has(run.id)) next.set(run.id, { run, source, signature: signature(run) });
    }
    const change: IndexChange = { added: [], updated: [], removed: [] };
    for (const [id, entry] of next) {
      const previous = this.runs.get(id);
      if (!previous) change.added.push(id);
      else if (previous.signature !== entry.signature) change.updated.push(id);
    }
    for (const id of this.runs.keys()) if (!next.has(id)) change.removed.push(id);
    this.runs = next;
    this.sourceProblems = problems;
    return change;
  }
}
