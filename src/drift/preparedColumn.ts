import { populationStd } from './stats/wasserstein.ts';
import { sortFloat64 } from './stats/sortFloat64.ts';
import type { Column } from './table/csv.ts';

/**
 * One side of a column, reduced to what every drift method needs, so each table is prepared once (on its own
 * worker) and any number of comparisons reuse it: numbers sorted with missing values and infinities dropped and
 * counted; categories counted.
 */
export interface PreparedNumeric {
  kind: 'numeric';
  name: string;
  /** The finite values, ascending. */
  sorted: Float64Array;
  integer: boolean;
  missing: number;
  infinite: number;
  /** numpy.std(values, ddof=0) of the finite values. */
  std: number;
}

export interface PreparedCategorical {
  kind: 'categorical';
  name: string;
  /** Categories present at least once, with their counts at the same index. */
  categories: string[];
  counts: number[];
  missing: number;
}

export type PreparedColumn = PreparedNumeric | PreparedCategorical;

/** `shared`: sorted values in shared memory, for tables prepared on one thread and compared on others. */
export function prepareColumn(column: Column, shared = false): PreparedColumn {
  if (column.kind === 'categorical') return prepareCategorical(column.name, column.codes, column.dictionary);
  const { values } = column;
  let finiteCount = 0;
  let missing = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as number;
    if (Number.isFinite(value)) finiteCount++;
    else if (Number.isNaN(value)) missing++;
  }
  const finite = finiteCount === values.length ? values : new Float64Array(finiteCount);
  if (finite !== values) {
    let next = 0;
    for (let index = 0; index < values.length; index++) {
      const value = values[index] as number;
      if (Number.isFinite(value)) finite[next++] = value;
    }
  }
  const sorted = sortFloat64(finite, shared);
  return { kind: 'numeric', name: column.name, sorted, integer: column.integer, missing, infinite: values.length - finiteCount - missing, std: populationStd(sorted) };
}

function prepareCategorical(name: string, codes: Int32Array, dictionary: readonly string[]): PreparedCategorical {
  const perCode = new Float64Array(dictionary.length);
  let missing = 0;
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] as number;
    if (code < 0) missing++;
    else perCode[code]!++;
  }
  const categories: string[] = [];
  const counts: number[] = [];
  dictionary.forEach((category, code) => {
    if (perCode[code]! > 0) {
      categories.push(category);
      counts.push(perCode[code] as number);
    }
  });
  return { kind: 'categorical', name, categories, counts, missing };
}

/** How many values a prepared side holds once missing values and infinities are dropped. */
export function presentCount(column: PreparedColumn): number {
  return column.kind === 'numeric' ? column.sorted.length : column.counts.reduce((sum, count) => sum + count, 0);
}

/** The distinct values of ascending arrays together, counted up to `limit + 1` (enough to tell "more than limit"). */
export function distinctSortedUpTo(limit: number, ...sortedArrays: Float64Array[]): number {
  const positions = sortedArrays.map(() => 0);
  let distinct = 0;
  for (;;) {
    let smallest = Infinity;
    let found = false;
    sortedArrays.forEach((sorted, side) => {
      const position = positions[side] as number;
      if (position < sorted.length && (!found || (sorted[position] as number) < smallest)) {
        smallest = sorted[position] as number;
        found = true;
      }
    });
    if (!found) return distinct;
    distinct++;
    if (distinct > limit) return distinct;
    sortedArrays.forEach((sorted, side) => {
      let position = positions[side] as number;
      while (position < sorted.length && sorted[position] === smallest) position++;
      positions[side] = position;
    });
  }
}

/** Counts of each distinct value of an ascending array, keyed by the value. */
export function valueCounts(sorted: Float64Array): Map<number, number> {
  const counts = new Map<number, number>();
  let index = 0;
  while (index < sorted.length) {
    const value = sorted[index] as number;
    let end = index + 1;
    while (end < sorted.length && sorted[end] === value) end++;
    counts.set(value, end - index);
    index = end;
  }
  return counts;
}
