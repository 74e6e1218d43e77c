/** Multiple-testing corrections of p-values, as statsmodels.stats.multitest.multipletests. */

/** Bonferroni: min(1, p * m). */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => Math.min(1, p * m));
}

/**
 * Benjamini-Hochberg adjusted p-values (multipletests method 'fdr_bh'): p_(i) / (i / m) in ascending order, made
 * monotone by a running minimum from the largest down, capped at 1; returned in the input order.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, index) => index).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m);
  let running = Number.POSITIVE_INFINITY;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1] as number;
    running = Math.min(running, (pValues[index] as number) / (rank / m));
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}
