import { get, has, put } from '../platform/dictionary.ts';
import { type JsonNumber, encodeJsonNumber } from '../platform/jsonNumbers.ts';
import type { MetricPoint } from './records.ts';

/** What the index keeps of one metric of one run. `min`/`max` ignore NaN and are NaN when every value was NaN. */
export interface MetricSummary {
  last: number;
  /** The highest step seen; `last` is the value at this step. */
  step: number;
  min: number;
  max: number;
  /** Number of distinct steps. */
  count: number;
  lastTime?: number;
}

/** A summary as JSON carries it (the CLI's --json, webview messages): non-finite values as strings. */
export interface EncodedMetricSummary {
  last: JsonNumber;
  step: number;
  min: JsonNumber;
  max: JsonNumber;
  count: number;
}

export function encodeMetricSummary(summary: MetricSummary): EncodedMetricSummary {
  return { last: encodeJsonNumber(summary.last), step: summary.step, min: encodeJsonNumber(summary.min), max: encodeJsonNumber(summary.max), count: summary.count };
}

interface ExactSteps {
  values: Map<number, { value: number; time: number | undefined }>;
  maxStep: number;
}

/**
 * Folds metric points into per-metric summaries. The same (name, step) again replaces the earlier value, so a
 * metric whose steps do not strictly increase must be folded from the whole file with every step kept: such
 * metrics are named in `exactMetrics`. For the others, and for appends past the highest step, the fold is
 * incremental and keeps nothing per point. A point that rewrites a step of a metric not yet exact is not folded:
 * its metric is listed in `needsExact`, and the reader folds the file again with those metrics exact.
 */
export class MetricFold {
  readonly summaries: Record<string, MetricSummary>;
  readonly exactMetrics: ReadonlySet<string>;
  readonly needsExact = new Set<string>();
  private readonly exactSteps = new Map<string, ExactSteps>();

  constructor(previous: Record<string, MetricSummary> = {}, exactMetrics: Iterable<string> = []) {
    this.summaries = {};
    for (const [name, summary] of Object.entries(previous)) put(this.summaries, name, { ...summary });
    this.exactMetrics = new Set(exactMetrics);
  }

  add(point: MetricPoint): void {
    const exact = this.exactStepsOf(point.name);
    if (exact) {
      const step = point.step ?? exact.maxStep + 1;
      exact.values.set(step, { value: point.value, time: point.time });
      if (step > exact.maxStep) exact.maxStep = step;
      return;
    }
    const summary = get(this.summaries, point.name);
    const step = point.step ?? (summary ? summary.step + 1 : 0);
    if (!summary) {
      put(this.summaries, point.name, newSummary(step, point));
      return;
    }
    if (step <= summary.step) {
      this.needsExact.add(point.name);
      return;
    }
    summary.step = step;
    summary.last = point.value;
    summary.count += 1;
    if (point.time === undefined) delete summary.lastTime;
    else summary.lastTime = point.time;
    if (!Number.isNaN(point.value)) {
      if (Number.isNaN(summary.min) || point.value < summary.min) summary.min = point.value;
      if (Number.isNaN(summary.max) || point.value > summary.max) summary.max = point.value;
    }
  }

  /** Turns the steps kept for exact metrics into summaries. Call once, after the last `add`. */
  finish(): Record<string, MetricSummary> {
    for (const [name, { values }] of this.exactSteps) {
      let summary: MetricSummary | undefined;
      for (const [step, { value, time }] of values) {
        if (!summary) {
          summary = newSummary(step, { value, time });
          continue;
        }
        summary.count += 1;
        if (step > summary.step) {
          summary.step = step;
          summary.last = value;
          if (time === undefined) delete summary.lastTime;
          else summary.lastTime = time;
        }
        if (!Number.isNaN(value)) {
          if (Number.isNaN(summary.min) || value < summary.min) summary.min = value;
          if (Number.isNaN(summary.max) || value > summary.max) summary.max = value;
        }
      }
      if (summary) put(this.summaries, name, summary);
    }
    this.exactSteps.clear();
    return this.summaries;
  }

  private exactStepsOf(name: string): ExactSteps | undefined {
    let exact = this.exactSteps.get(name);
    if (!exact && this.exactMetrics.has(name) && !has(this.summaries, name)) {
      exact = { values: new Map(), maxStep: -1 };
      this.exactSteps.set(name, exact);
      // Reserve the metric's place so summaries keep the order in which metrics first appeared.
      put(this.summaries, name, newSummary(0, { value: Number.NaN, time: undefined }));
    }
    return exact;
  }
}

function newSummary(step: number, point: { value: number; time: number | undefined }): MetricSummary {
  const finite = !Number.isNaN(point.value);
  const summary: MetricSummary = {
    last: point.value,
    step,
    min: finite ? point.value : Number.NaN,
    max: finite ? point.value : Number.NaN,
    count: 1,
  };
  if (point.time !== undefined) summary.lastTime = point.time;
  return summary;
}
