/** Histogram bin edges and counts with numpy's exact semantics (numpy 1.24). */

function extent(values: readonly number[] | Float64Array): [number, number] {
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < minimum) {
      minimum = value;
    }
    if (value > maximum) {
      maximum = value;
    }
  }
  return [minimum, maximum];
}

/** numpy.linspace(start, stop, count) bit for bit: start + i * ((stop - start) / (count - 1)), the last one stop. */
export function linspace(start: number, stop: number, count: number): number[] {
  const edges = new Array<number>(count);
  const divisions = count - 1;
  const delta = stop - start;
  const step = delta / divisions;
  for (let i = 0; i < count; i++) {
    edges[i] = (step === 0 ? (i / divisions) * delta : i * step) + start;
  }
  if (count > 1) {
    edges[count - 1] = stop;
  }
  return edges;
}

/**
 * numpy.histogram_bin_edges(values, bins='sturges') bit for bit: width = ptp / (log2(n) + 1), ceil(ptp / width)
 * equal bins over [min, max] by numpy.linspace; a constant column gives the single bin [v - 0.5, v + 0.5].
 * The values must be finite and non-empty.
 */
export function sturgesEdges(values: readonly number[] | Float64Array): number[] {
  if (values.length === 0) {
    throw new RangeError('no values to bin');
  }
  const [first, last] = extent(values);
  return sturgesEdgesOf(first, last, values.length);
}

/** sturgesEdges of `count` values whose minimum and maximum are known. */
export function sturgesEdgesOf(minimum: number, maximum: number, count: number): number[] {
  if (!Number.isFinite(minimum) || !Number.isFinite(maximum)) {
    throw new RangeError('cannot bin non-finite values');
  }
  let first = minimum;
  let last = maximum;
  const range = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = range / (Math.log2(count) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/**
 * numpy.histogram(values, bins=edges)[0]: bin i counts edges[i] <= v < edges[i + 1], the last bin also its right
 * edge; values outside the edges (and NaN) are not counted. Edges must be ascending.
 */
export function histogramCounts(values: readonly number[] | Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(0, bins)).fill(0);
  if (bins < 1) {
    return counts;
  }
  const first = edges[0] as number;
  const last = edges[bins] as number;
  for (const value of values) {
    if (!(value >= first && value <= last)) {
      continue;
    }
    if (value === last) {
      // the right edge of the last bin is inclusive, also when edges repeat there
      counts[bins - 1] = (counts[bins - 1] as number) + 1;
      continue;
    }
    // largest i with edges[i] <= value (searchsorted 'right' - 1)
    let low = 0;
    let high = bins;
    while (high - low > 1) {
      const middle = (low + high) >>> 1;
      if ((edges[middle] as number) <= value) {
        low = middle;
      } else {
        high = middle;
      }
    }
    counts[low] = (counts[low] as number) + 1;
  }
  return counts;
}

/** histogramCounts for ascending values, in one walk instead of a binary search per value. */
export function histogramCountsSorted(sorted: Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(0, bins)).fill(0);
  if (bins < 1) {
    return counts;
  }
  const first = edges[0] as number;
  const last = edges[bins] as number;
  let bin = 0;
  for (let index = 0; index < sorted.length; index++) {
    const value = sorted[index] as number;
    if (value < first) {
      continue;
    }
    if (value > last) {
      break;
    }
    if (value === last) {
      counts[bins - 1] = (counts[bins - 1] as number) + 1;
      continue;
    }
    while (bin < bins - 1 && (edges[bin + 1] as number) <= value) {
      bin++;
    }
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/**
 * numpy.quantile(reference, numpy.linspace(0, 1, bins + 1)) with the default 'linear' method, bit for bit:
 * index (n - 1) q, lerp between neighbours as numpy's _lerp. Edges may repeat on tied data.
 */
export function quantileEdges(reference: readonly number[] | Float64Array, bins: number): number[] {
  if (reference.length === 0) {
    throw new RangeError('no values to take quantiles of');
  }
  return quantileEdgesSorted(Float64Array.from(reference).sort(), bins);
}

/** quantileEdges of an ascending, non-empty array. */
export function quantileEdgesSorted(sorted: Float64Array, bins: number): number[] {
  const n = sorted.length;
  return linspace(0, 1, bins + 1).map((q) => {
    const virtual = (n - 1) * q;
    let previous = Math.floor(virtual);
    let next = previous + 1;
    if (virtual >= n - 1) {
      previous = n - 1;
      next = n - 1;
    } else if (virtual < 0) {
      previous = 0;
      next = 0;
    }
    // numpy computes gamma from the clipped index -1 (i.e. n - 1 before wrapping): virtual - (-1)
    const gamma = virtual >= n - 1 ? virtual + 1 : virtual - previous;
    const a = sorted[previous] as number;
    const b = sorted[next] as number;
    const difference = b - a;
    return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
  });
}
