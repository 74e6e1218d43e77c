import type { MetricSeries } from './metricSeries.ts';

const INITIAL_POINTS = 256;

/** Points of one metric as they were read, interleaved (step, value, time), in a growable typed array. */
export class PointBuffer {
  data: Float64Array;
  length = 0;
  /** The highest step so far: a point written without a step takes the next one. */
  maxStep: number;

  constructor(maxStep = -1) {
    this.data = new Float64Array(INITIAL_POINTS * 3);
    this.maxStep = maxStep;
  }

  push(step: number | undefined, value: number, time: number | undefined): void {
    const resolvedStep = step ?? this.maxStep + 1;
    if (resolvedStep > this.maxStep) this.maxStep = resolvedStep;
    if ((this.length + 1) * 3 > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const at = this.length * 3;
    this.data[at] = resolvedStep;
    this.data[at + 1] = value;
    this.data[at + 2] = time ?? Number.NaN;
    this.length += 1;
  }

  /** The points pushed so far, as a view (no copy). */
  interleaved(): Float64Array {
    return this.data.subarray(0, this.length * 3);
  }
}

/**
 * Interleaved points in the order they were written -> a series sorted by step with one point per step, the last
 * written winning (as the store format says). Already-increasing steps, the common case, are copied straight.
 */
export function toMetricSeries(interleaved: Float64Array): MetricSeries {
  const count = interleaved.length / 3;
  let increasing = true;
  for (let index = 1; index < count && increasing; index++) {
    if (!((interleaved[index * 3] as number) > (interleaved[(index - 1) * 3] as number))) increasing = false;
  }
  let order: ArrayLike<number>;
  if (increasing) {
    order = { length: count } as ArrayLike<number>;
  } else {
    // Stable sort by step, then keep the last of each run of equal steps.
    const sorted = Array.from({ length: count }, (_, index) => index).sort((a, b) => (interleaved[a * 3] as number) - (interleaved[b * 3] as number) || a - b);
    order = sorted.filter((index, position) => position === sorted.length - 1 || interleaved[(sorted[position + 1] as number) * 3] !== interleaved[index * 3]);
  }
  const length = order.length;
  const series: MetricSeries = { steps: new Float64Array(length), values: new Float64Array(length), times: new Float64Array(length) };
  for (let position = 0; position < length; position++) {
    const source = (increasing ? position : (order[position] as number)) * 3;
    series.steps[position] = interleaved[source] as number;
    series.values[position] = interleaved[source + 1] as number;
    series.times[position] = interleaved[source + 2] as number;
  }
  return series;
}
