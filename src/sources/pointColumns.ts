import type { MetricSummary } from '../runs/metricFold.ts';
import type { MetricSeries } from '../runs/metricSeries.ts';

/**
 * Which point a tracker keeps when one step was logged more than once: MLflow the greatest (timestamp, value),
 * DVCLive the line written last.
 */
export type StepTieRule = 'latestTimestamp' | 'lastWritten';

/** The points of one metric file in the order they were written, in growable columns reused from file to file. */
export class PointColumns {
  steps = new Float64Array(1024);
  values = new Float64Array(1024);
  /** Epoch ms; NaN where the file has no time. */
  times = new Float64Array(1024);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(step: number, value: number, time: number): void {
    if (this.length === this.steps.length) this.grow();
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.times[this.length] = time;
    this.length++;
  }

  private grow(): void {
    const capacity = this.steps.length * 2;
    for (const column of ['steps', 'values', 'times'] as const) {
      const grown = new Float64Array(capacity);
      grown.set(this[column]);
      this[column] = grown;
    }
  }
}

function stepsIncrease(points: PointColumns): boolean {
  const { steps, length } = points;
  for (let index = 1; index < length; index++) if ((steps[index] as number) <= (steps[index - 1] as number)) return false;
  return true;
}

/** NaN sorts below every number, so a real value beats a NaN logged at the same step and time. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
  return a - b;
}

/** Indexes of the points that survive, one per step, in step order. */
function keptPoints(points: PointColumns, rule: StepTieRule): number[] {
  const { steps, values, times } = points;
  const order = Array.from({ length: points.length }, (_, index) => index);
  order.sort((a, b) => {
    const byStep = (steps[a] as number) - (steps[b] as number);
    if (byStep !== 0 || rule === 'lastWritten') return byStep || a - b;
    return (times[a] as number) - (times[b] as number) || compareValues(values[a] as number, values[b] as number) || a - b;
  });
  return order.filter((index, position) => position === order.length - 1 || steps[order[position + 1] as number] !== steps[index]);
}

export function toSeries(points: PointColumns, rule: StepTieRule): MetricSeries {
  if (stepsIncrease(points)) {
    return { steps: points.steps.slice(0, points.length), values: points.values.slice(0, points.length), times: points.times.slice(0, points.length) };
  }
  const kept = keptPoints(points, rule);
  const series: MetricSeries = { steps: new Float64Array(kept.length), values: new Float64Array(kept.length), times: new Float64Array(kept.length) };
  kept.forEach((index, position) => {
    series.steps[position] = points.steps[index] as number;
    series.values[position] = points.values[index] as number;
    series.times[position] = points.times[index] as number;
  });
  return series;
}

/** The summary of a metric's points (see MetricSummary); undefined when there are none. */
export function summarizePoints(points: PointColumns, rule: StepTieRule): MetricSummary | undefined {
  if (points.length === 0) return undefined;
  if (stepsIncrease(points)) return summarizeSeries(points.steps, points.values, points.times, points.length);
  const series = toSeries(points, rule);
  return summarizeSeries(series.steps, series.values, series.times, series.steps.length);
}

function summarizeSeries(steps: Float64Array, values: Float64Array, times: Float64Array, length: number): MetricSummary {
  let min = Number.NaN;
  let max = Number.NaN;
  for (let index = 0; index < length; index++) {
    const value = values[index] as number;
    if (value !== value) continue;
    if (!(value >= min)) min = value;
    if (!(value <= max)) max = value;
  }
  const summary: MetricSummary = { last: values[length - 1] as number, step: steps[length - 1] as number, min, max, count: length };
  const lastTime = times[length - 1] as number;
  if (!Number.isNaN(lastTime)) summary.lastTime = lastTime;
  return summary;
}
