// The run comparison table's logic: columns, differences, sorting, deltas and export. Shared with the webviews:
// no Node or DOM APIs here.
import { get } from '../platform/dictionary.ts';
import { escapeMarkdown } from '../platform/markdown.ts';

export type ColumnKind = 'info' | 'param' | 'metric';

export interface CompareColumn {
  /** `info:<name>`, `param:<name>` or `metric:<name>`. */
  id: string;
  kind: ColumnKind;
  name: string;
}

export interface CompareMetric {
  last: number;
  min: number;
  max: number;
  step: number;
  count: number;
}

/** What the table needs of a run; a RunSummary is one. */
export interface CompareRun {
  id: string;
  name: string;
  experiment: string;
  status: string;
  source?: string;
  startTime?: number;
  endTime?: number;
  params: Record<string, unknown>;
  metrics: Record<string, CompareMetric>;
}

/** Undefined: the run has no such value. Null: a param whose value is JSON null. */
export type CellValue = number | string | boolean | null | undefined;

const INFO_COLUMNS = ['experiment', 'status', 'started', 'duration'];
const KINDS: readonly string[] = ['info', 'param', 'metric'] satisfies ColumnKind[];

function column(kind: ColumnKind, name: string): CompareColumn {
  return { id: `${kind}:${name}`, kind, name };
}

/** The info columns, then every param and every metric of the runs, each in the order first seen. */
export function buildColumns(runs: readonly CompareRun[]): CompareColumn[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(run.params)) params.add(name);
    for (const name of Object.keys(run.metrics)) metrics.add(name);
  }
  return [
    ...INFO_COLUMNS.map((name) => column('info', name)),
    ...[...params].map((name) => column('param', name)),
    ...[...metrics].map((name) => column('metric', name)),
  ];
}

export function cellValue(run: CompareRun, { kind, name }: CompareColumn): CellValue {
  if (kind === 'param') return paramValue(get(run.params, name));
  if (kind === 'metric') return get(run.metrics, name)?.last;
  switch (name) {
    case 'experiment':
      return run.experiment;
    case 'status':
      return run.status;
    case 'started':
      return run.startTime;
    case 'duration':
      return run.startTime !== undefined && run.endTime !== undefined ? run.endTime - run.startTime : undefined;
    default:
      return undefined;
  }
}

function paramValue(value: unknown): CellValue {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'object') return stableJson(value);
  return String(value);
}

/** JSON with object keys sorted, so that equal params written in different key orders read the same. */
function stableJson(value: object): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, (inner as Record<string, unknown>)[key]]))
      : inner,
  );
}

function sameCell(a: CellValue, b: CellValue): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** The ids of the columns whose values are not all the same across the runs; a missing value differs from any other. */
export function differingColumns(runs: readonly CompareRun[], columns: readonly CompareColumn[]): Set<string> {
  const differing = new Set<string>();
  const [first, ...others] = runs;
  if (!first) return differing;
  for (const column of columns) {
    const value = cellValue(first, column);
    if (others.some((run) => !sameCell(value, cellValue(run, column)))) differing.add(column.id);
  }
  return differing;
}

function columnOf(id: string): CompareColumn | undefined {
  const separator = id.indexOf(':');
  const kind = id.slice(0, separator);
  return separator > 0 && KINDS.includes(kind) ? column(kind as ColumnKind, id.slice(separator + 1)) : undefined;
}

const collator = new Intl.Collator(undefined, { numeric: true });

function isMissing(value: CellValue): boolean {
  return value === undefined || value === null || Number.isNaN(value);
}

const TYPE_ORDER = ['number', 'string', 'boolean'];

function compareValues(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a !== typeof b) return TYPE_ORDER.indexOf(typeof a) - TYPE_ORDER.indexOf(typeof b);
  if (typeof a === 'string') return collator.compare(a, b as string);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The runs ordered by one column (stable): numbers numerically, text in natural order, false before true, and
 * numbers before text before booleans. Runs without a value (or with NaN) come last in either direction.
 */
export function sortRuns(runs: readonly CompareRun[], columnId: string, descending: boolean): CompareRun[] {
  const sortColumn = columnOf(columnId);
  if (!sortColumn) return [...runs];
  const keyed = runs.map((run) => ({ run, value: cellValue(run, sortColumn) }));
  keyed.sort((a, b) => {
    const aMissing = isMissing(a.value);
    const bMissing = isMissing(b.value);
    if (aMissing || bMissing) return Number(aMissing) - Number(bMissing);
    const order = compareValues(a.value as number | string | boolean, b.value as number | string | boolean);
    return descending ? -order : order;
  });
  return keyed.map(({ run }) => run);
}

/** How far `value` is from `baseline`, for two finite numbers; `relative` is a fraction of |baseline|. */
export function deltaAgainst(value: CellValue, baseline: CellValue): { absolute: number; relative?: number } | undefined {
  if (typeof value !== 'number' || typeof baseline !== 'number' || !Number.isFinite(value) || !Number.isFinite(baseline)) return undefined;
  const absolute = value - baseline;
  return baseline === 0 ? { absolute } : { absolute, relative: absolute / Math.abs(baseline) };
}

function cellText(value: CellValue): string {
  return value === undefined ? '' : String(value);
}

/** The rows of an export: a header of column names, then one row per run; the first column is the run's name. */
function exportRows(runs: readonly CompareRun[], columns: readonly CompareColumn[]): { header: string[]; rows: CellValue[][] } {
  return {
    header: ['run', ...columns.map(({ name }) => name)],
    rows: runs.map((run) => [run.name, ...columns.map((column) => cellValue(run, column))]),
  };
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with CRLF line ends; numbers in full precision. */
export function toCsv(runs: readonly CompareRun[], columns: readonly CompareColumn[]): string {
  const { header, rows } = exportRows(runs, columns);
  return [header, ...rows.map((row) => row.map(cellText))].map((fields) => `${fields.map(csvField).join(',')}\r\n`).join('');
}

/** Text from the store can carry no markup into the table: no HTML, links, emphasis, cell breaks or line breaks. */
function markdownCell(value: CellValue): string {
  return typeof value === 'string' ? escapeMarkdown(value.replace(/\r\n?|\n/g, ' ')) : cellText(value);
}

/** A GitHub-flavoured Markdown table. */
export function toMarkdown(runs: readonly CompareRun[], columns: readonly CompareColumn[]): string {
  const { header, rows } = exportRows(runs, columns);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
  return line(header.map(markdownCell)) + line(header.map(() => '---')) + rows.map((row) => line(row.map(markdownCell))).join('');
}
