// Reduces metric series to what a chart can draw. Shared with the webviews: no Node or DOM APIs here.

export interface MinMaxBand {
  /** The mean x of each bucket. */
  x: Float64Array;
  /** The lowest finite y of each bucket, NaN when it has none. */
  min: Float64Array;
  max: Float64Array;
}

export interface DownsampledSeries {
  /** Ascending indices into the series. */
  indices: Uint32Array;
  /** Present when the range had more points than were kept: the spread of y the kept points no longer show. */
  band?: MinMaxBand;
}

/**
 * Largest-Triangle-Three-Buckets over the indices [from, to): at most `threshold` indices, ascending, always the
 * first and the last. Points whose y is not finite are never chosen and never averaged; when no more than
 * `threshold` finite points remain, they are all returned.
 */
export function lttb(xs: Float64Array, ys: Float64Array, threshold: number, from = 0, to = xs.length): Uint32Array {
  // Undefined when every point is finite, the common case, which then needs no list of candidates.
  const finite = finiteIndices(ys, from, to);
  const count = finite ? finite.length : Math.max(to - from, 0);
  const keep = Math.max(Math.floor(threshold), 2);
  const indexAt = (position: number) => (finite ? (finite[position] as number) : from + position);
  if (count <= keep) return Uint32Array.from({ length: count }, (_, position) => indexAt(position));

  const chosen = new Uint32Array(keep);
  const bucketSize = (count - 2) / (keep - 2);
  let previous = indexAt(0);
  chosen[0] = previous;
  for (let bucket = 0; bucket < keep - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, count);
    let sumX = 0;
    let sumY = 0;
    // The inner loops spell out indexAt: calling it costs a third more time at a million points.
    for (let position = end; position < nextEnd; position++) {
      const index = finite ? (finite[position] as number) : from + position;
      sumX += xs[index] as number;
      sumY += ys[index] as number;
    }
    const averageX = sumX / (nextEnd - end);
    const averageY = sumY / (nextEnd - end);
    const previousX = xs[previous] as number;
    const previousY = ys[previous] as number;
    let largestArea = -1;
    let largestIndex = previous;
    for (let position = start; position < end; position++) {
      const index = finite ? (finite[position] as number) : from + position;
      // Twice the triangle's area: the factor does not change which is largest.
      const area = Math.abs((previousX - averageX) * ((ys[index] as number) - previousY) - (previousX - (xs[index] as number)) * (averageY - previousY));
      if (area > largestArea) {
        largestArea = area;
        largestIndex = index;
      }
    }
    chosen[bucket + 1] = largestIndex;
    previous = largestIndex;
  }
  chosen[keep - 1] = indexAt(count - 1);
  return chosen;
}

/**
 * LTTB, plus what plain LTTB can lose: the lowest and the highest finite point of the range are always kept (so
 * up to `maxPoints + 2` indices), and when points were dropped, a min/max band of `maxPoints / 2` buckets.
 */
export function downsampleSeries(xs: Float64Array, ys: Float64Array, maxPoints: number, from = 0, to = xs.length): DownsampledSeries {
  const indices = lttb(xs, ys, maxPoints, from, to);
  const count = to - from;
  if (count <= maxPoints) return { indices };
  const band = minMaxBand(xs, ys, from, to, Math.max(Math.floor(maxPoints / 2), 1));
  return { indices: including(indices, extremeIndices(ys, from, to)), band };
}

/**
 * The index range [from, to) of the points with x in [x0, x1] in ascending `xs`, widened by one point on each
 * side where there is one, so that a zoomed line runs on to the chart's edges.
 */
export function rangeOf(xs: Float64Array, x0: number, x1: number): [from: number, to: number] {
  const first = firstIndexWhere(xs, (x) => x >= x0);
  const pastLast = firstIndexWhere(xs, (x) => x > x1);
  return [Math.max(first - 1, 0), Math.min(pastLast + 1, xs.length)];
}

function firstIndexWhere(xs: Float64Array, predicate: (x: number) => boolean): number {
  let low = 0;
  let high = xs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(xs[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The indices in [from, to) whose y is finite, or undefined when all are. */
function finiteIndices(ys: Float64Array, from: number, to: number): Uint32Array | undefined {
  let firstNonFinite = from;
  while (firstNonFinite < to && Number.isFinite(ys[firstNonFinite])) firstNonFinite++;
  if (firstNonFinite >= to) return undefined;
  const finite = new Uint32Array(to - from);
  let count = 0;
  for (let index = from; index < to; index++) if (Number.isFinite(ys[index])) finite[count++] = index;
  return finite.subarray(0, count);
}

function minMaxBand(xs: Float64Array, ys: Float64Array, from: number, to: number, buckets: number): MinMaxBand {
  const band: MinMaxBand = { x: new Float64Array(buckets), min: new Float64Array(buckets), max: new Float64Array(buckets) };
  const count = to - from;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = from + Math.floor((bucket * count) / buckets);
    const end = from + Math.floor(((bucket + 1) * count) / buckets);
    let sumX = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let index = start; index < end; index++) {
      sumX += xs[index] as number;
      const y = ys[index] as number;
      if (y < min && y !== -Infinity) min = y;
      if (y > max && y !== Infinity) max = y;
    }
    band.x[bucket] = sumX / (end - start);
    band.min[bucket] = min === Infinity ? Number.NaN : min;
    band.max[bucket] = max === -Infinity ? Number.NaN : max;
  }
  return band;
}

/** The first index of the lowest and of the highest finite y in [from, to); none when no y is finite. */
function extremeIndices(ys: Float64Array, from: number, to: number): number[] {
  let lowest = -1;
  let highest = -1;
  for (let index = from; index < to; index++) {
    const y = ys[index] as number;
    if (!Number.isFinite(y)) continue;
    if (lowest < 0 || y < (ys[lowest] as number)) lowest = index;
    if (highest < 0 || y > (ys[highest] as number)) highest = index;
  }
  return lowest < 0 ? [] : [lowest, highest];
}

/** `indices` with `required` added where missing, still ascending. */
function including(indices: Uint32Array, required: number[]): Uint32Array {
  const missing = [...new Set(required)].filter((index) => !indices.includes(index));
  if (missing.length === 0) return indices;
  const merged = new Uint32Array(indices.length + missing.length);
  merged.set(indices);
  merged.set(missing, indices.length);
  return merged.sort();
}
