/** Left-aligned text columns separated by two spaces; cells longer than `maxWidth` are cut with an ellipsis. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const clip = (cell: string) => (cell.length > maxWidth ? `${cell.slice(0, maxWidth - 1)}…` : cell);
  const clipped = [header, ...rows].map((row) => row.map((cell) => clip(cell.replace(/\s+/g, ' '))));
  const widths = header.map((_, column) => Math.max(...clipped.map((row) => row[column]?.length ?? 0)));
  return clipped.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
