/** Chi-square tests like scipy.stats.chisquare and scipy.stats.chi2_contingency, and Evidently's chi-square drift test. */

import { chi2Sf } from './gamma.ts';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

export interface ContingencyResult extends ChiSquareResult {
  /** Expected frequencies under independence, row total * column total / grand total. */
  expected: number[][];
}

/**
 * Pearson's goodness-of-fit test like scipy.stats.chisquare(f_obs, f_exp): statistic sum (O - E)^2 / E, dof k - 1.
 * An expected zero with a non-zero observation makes the statistic infinite and the p-value 0; a category with both
 * zero contributes nothing (scipy would give NaN). scipy also rejects sums that differ by more than 1e-8 relative;
 * this does not check.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], expected: readonly number[]): ChiSquareResult {
  if (observed.length !== expected.length) {
    throw new RangeError(`observed has ${observed.length} categories, expected ${expected.length}`);
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] as number;
    const e = expected[i] as number;
    const difference = o - e;
    if (difference === 0) {
      continue;
    }
    statistic += e === 0 ? Number.POSITIVE_INFINITY : difference * difference / e;
  }
  const dof = observed.length - 1;
  return { statistic, pValue: pValueOf(statistic, dof), dof };
}

function pValueOf(statistic: number, dof: number): number {
  if (Number.isNaN(statistic) || dof <= 0) {
    return Number.NaN;
  }
  if (statistic === Number.POSITIVE_INFINITY) {
    return 0;
  }
  return chi2Sf(statistic, dof);
}

/**
 * Chi-square test of independence like scipy.stats.chi2_contingency(table) with correction=True: expected from
 * the margins, dof (rows - 1)(columns - 1), Yates' continuity correction when dof is 1 (each |O - E| reduced by
 * 0.5, never past 0). dof 0 gives statistic 0 and p-value 1. Throws on a zero expected frequency, as scipy does.
 */
export function chiSquareContingency(table: readonly (readonly number[])[], correction = true): ContingencyResult {
  const rows = table.length;
  const columns = rows === 0 ? 0 : (table[0] as readonly number[]).length;
  if (rows === 0 || columns === 0 || table.some((row) => row.length !== columns)) {
    throw new RangeError('the contingency table must be a non-empty rectangle');
  }
  const rowTotals = table.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnTotals = Array.from({ length: columns }, (_, j) => table.reduce((sum, row) => sum + (row[j] as number), 0));
  const total = rowTotals.reduce((sum, value) => sum + value, 0);
  const expected = rowTotals.map((rowTotal) => columnTotals.map((columnTotal) => rowTotal * columnTotal / total));
  if (expected.some((row) => row.some((value) => !(value > 0)))) {
    throw new RangeError('the table of expected frequencies has a zero element (an empty row or column)');
  }
  const dof = rows * columns - rows - columns + 1;
  if (dof === 0) {
    return { statistic: 0, pValue: 1, dof, expected };
  }
  let statistic = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      let o = (table[i] as readonly number[])[j] as number;
      const e = (expected[i] as number[])[j] as number;
      if (dof === 1 && correction) {
        const difference = e - o;
        o += Math.sign(difference) * Math.min(0.5, Math.abs(difference));
      }
      const difference = o - e;
      statistic += difference * difference / e;
    }
  }
  return { statistic, pValue: pValueOf(statistic, dof), dof, expected };
}

export type CategoryCounts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

function entriesOf(counts: CategoryCounts): Map<string, number> {
  return counts instanceof Map ? new Map(counts) : new Map(Object.entries(counts as Record<string, number>));
}

/**
 * Evidently's chi-square drift test (chisquare_stattest): over the union of the categories, f_obs = current counts
 * and f_exp = reference counts * (n_current / n_reference), then chiSquareGoodnessOfFit. A category that only the
 * current data has gives an infinite statistic and p-value 0.
 */
export function evidentlyChiSquare(referenceCounts: CategoryCounts, currentCounts: CategoryCounts): ChiSquareResult {
  const reference = entriesOf(referenceCounts);
  const current = entriesOf(currentCounts);
  const keys = [...new Set([...reference.keys(), ...current.keys()])].sort();
  const referenceTotal = [...reference.values()].reduce((sum, value) => sum + value, 0);
  const currentTotal = [...current.values()].reduce((sum, value) => sum + value, 0);
  const scale = currentTotal / referenceTotal;
  const observed = keys.map((key) => current.get(key) ?? 0);
  const expected = keys.map((key) => (reference.get(key) ?? 0) * scale);
  return chiSquareGoodnessOfFit(observed, expected);
}
