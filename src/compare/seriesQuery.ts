import type { MetricSeries } from '../runs/metricSeries.ts';
import { readRunSeries } from '../runs/runSeries.ts';
import type { SeriesPayload, XAxis } from './compareProtocol.ts';
import { downsampleSeries, rangeOf } from './downsample.ts';

/** How a chart wants one metric of one run: on which x-axis, over which range, reduced to how many points. */
export interface SeriesShape {
  xAxis: XAxis;
  range: [number, number] | null;
  maxPoints: number;
  /** For the relative x-axis: the run's start (epoch ms); else its first timed point is zero. */
  startTime?: number;
  /** For live appends: only the points after this step, none dropped. */
  afterStep?: number;
}

/** One MLTrail run's metric to read and reduce, as sent to a worker: plain data. */
export interface SeriesQuery extends SeriesShape {
  run: string;
  runDir: string;
  cacheDir: string;
  metric: string;
}

export interface ReducedSeries {
  payload: SeriesPayload;
  /** The run's highest step of this metric; live appends continue from here. */
  lastStep: number;
}

const scratchBuffers = [new Float64Array(0), new Float64Array(0)];

/** Reused between calls (a chart request reduces hundreds of series in a row); callers copy out what they keep. */
function scratch(slot: 0 | 1, length: number): Float64Array {
  let buffer = scratchBuffers[slot] as Float64Array;
  if (buffer.length < length) scratchBuffers[slot] = buffer = new Float64Array(Math.max(length, buffer.length * 2));
  return buffer;
}

/** The x of every point on the chosen axis, and the finite points in ascending x, as parallel arrays. */
function plotPoints(series: MetricSeries, shape: SeriesShape): { xs: Float64Array; ys: Float64Array } {
  const { steps, values, times } = series;
  const count = steps.length;
  const xs = scratch(0, count);
  const ys = scratch(1, count);
  let origin = shape.startTime;
  if (shape.xAxis === 'relative' && origin === undefined) {
    for (let index = 0; index < count && origin === undefined; index++) if (!Number.isNaN(times[index])) origin = times[index];
  }
  let kept = 0;
  let ascending = true;
  for (let index = 0; index < count; index++) {
    if (shape.afterStep !== undefined && (steps[index] as number) <= shape.afterStep) continue;
    const y = values[index] as number;
    if (!Number.isFinite(y)) continue;
    let x: number;
    if (shape.xAxis === 'step') x = steps[index] as number;
    else {
      const time = times[index] as number;
      if (Number.isNaN(time)) continue;
      x = shape.xAxis === 'wall' ? time : (time - (origin as number)) / 1000;
    }
    if (kept > 0 && x < (xs[kept - 1] as number)) ascending = false;
    xs[kept] = x;
    ys[kept] = y;
    kept += 1;
  }
  if (ascending) return { xs: xs.subarray(0, kept), ys: ys.subarray(0, kept) };
  // Clocks can go backwards (a resumed run on another host): time axes are drawn in time order.
  const order = Array.from({ length: kept }, (_, index) => index).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  return { xs: Float64Array.from(order, (index) => xs[index] as number), ys: Float64Array.from(order, (index) => ys[index] as number) };
}

/** Reduces a series for a chart: the requested range only, at most about `maxPoints` points, with a min/max band. */
export function reduceSeries(run: string, series: MetricSeries, shape: SeriesShape): ReducedSeries {
  const lastStep = series.steps.length > 0 ? (series.steps[series.steps.length - 1] as number) : -1;
  const { xs, ys } = plotPoints(series, shape);
  const [from, to] = shape.range ? rangeOf(xs, shape.range[0], shape.range[1]) : [0, xs.length];
  const total = to - from;
  if (shape.afterStep !== undefined || total <= shape.maxPoints) {
    return { payload: { run, x: Array.from(xs.subarray(from, to)), y: Array.from(ys.subarray(from, to)), total }, lastStep };
  }
  const { indices, band } = downsampleSeries(xs, ys, shape.maxPoints, from, to);
  const payload: SeriesPayload = { run, x: Array.from(indices, (index) => xs[index] as number), y: Array.from(indices, (index) => ys[index] as number), total };
  if (band) payload.band = { x: Array.from(band.x), min: Array.from(band.min), max: Array.from(band.max) };
  return { payload, lastStep };
}

/** Worker task: read one MLTrail run's metric (through its series cache when large) and reduce it. */
export function performSeriesQuery(query: SeriesQuery): ReducedSeries | null {
  const series = readRunSeries(query.runDir, query.cacheDir, [query.metric]).get(query.metric);
  return series ? reduceSeries(query.run, series, query) : null;
}
