import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Binning, type DriftMethod, METHODS } from '../drift/columnDrift.ts';
import { type ColumnOptions, type DatasetDrift, type DriftOptions, datasetDrift } from '../drift/datasetDrift.ts';
import { type DriftOverTime, driftOverTime, parseWindow } from '../drift/overTime.ts';
import { loadTable, TABLE_FORMATS } from '../drift/table/loadTable.ts';
import { formatMetricValue } from '../platform/format.ts';
import { type CliIo, CommandError, UsageError } from './cliIo.ts';
import { renderTable } from './table.ts';

const METHOD_NAMES = Object.keys(METHODS) as DriftMethod[];

export const DRIFT_USAGE = `Usage: mltrail drift REFERENCE CURRENT [--json] [--method M] [--threshold X] [--column NAME=M[:X]]...
                    [--correction none|bonferroni|bh] [--drift-share S] [--bins sturges|quantiles:N] [--fail-on-drift]
                    [--window 1h|1d|7d|ROWS [--time-column COL] [--baseline threshold|chunks]]

Compare two tables column by column (matched by name) and decide whether the data drifted. Files: ${TABLE_FORMATS.join(', ')}.

  --json            print the result as JSON
  --method M        auto (Evidently's default choice per column) or one of ${METHOD_NAMES.join(', ')}
  --threshold X     the threshold for every column (default: the method's own, 0.05 for tests, 0.1 for distances)
  --column NAME=M[:X]  a method (and threshold) for one column; repeat for several
  --correction C    adjust the tests' p-values across columns: none (default), bonferroni, bh (Benjamini-Hochberg)
  --drift-share S   the dataset drifts when at least this share of its columns do (default 0.5)
  --bins B          how distances bin numbers: sturges (default, as Evidently) or quantiles:N of the reference
  --fail-on-drift   exit with 1 when the dataset drifted (for CI gates); over time, when any chunk did
  --window W        drift over time: split CURRENT into chunks of a duration (30m, 1h, 1d, 7d; needs --time-column)
                    or of W rows, and test each chunk against the whole reference
  --time-column COL the column holding each row's time (ISO 8601, or epoch seconds or milliseconds)
  --baseline B      threshold (default): each method's threshold; chunks: a column drifts when its score passes
                    the mean of the reference's own chunks by 3 standard deviations (NannyML's rule)
`;

function parseMethod(value: string): DriftMethod | 'auto' {
  if (value === 'auto' || METHOD_NAMES.includes(value as DriftMethod)) return value as DriftMethod | 'auto';
  throw new UsageError(`unknown method "${value}" (expected auto, ${METHOD_NAMES.join(', ')})`);
}

function parseNumber(flag: string, value: string, check: (value: number) => boolean, expected: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number)) throw new UsageError(`${flag} must be ${expected}, not "${value}"`);
  return number;
}

function parseColumns(values: string[]): Record<string, ColumnOptions> {
  const columns: Record<string, ColumnOptions> = {};
  for (const value of values) {
    const match = /^(.+)=([a-z0-9]+)(?::(.+))?$/.exec(value);
    if (!match) throw new UsageError(`--column takes NAME=METHOD or NAME=METHOD:THRESHOLD, not "${value}"`);
    const [, name, method, threshold] = match as unknown as [string, string, string, string | undefined];
    const options: ColumnOptions = { method: parseMethod(method) };
    if (threshold !== undefined) options.threshold = parseNumber('--column threshold', threshold, (number) => number >= 0, 'a number >= 0');
    Object.defineProperty(columns, name, { value: options, enumerable: true, writable: true, configurable: true });
  }
  return columns;
}

function parseBins(value: string | undefined): Binning | undefined {
  if (value === undefined || value === 'sturges') return value === undefined ? undefined : 'sturges';
  const match = /^quantiles:(\d+)$/.exec(value);
  if (!match || Number(match[1]) < 2) throw new UsageError(`--bins takes sturges or quantiles:N with N >= 2, not "${value}"`);
  return { quantiles: Number(match[1]) };
}

function render(result: DatasetDrift, reference: string, current: string): string {
  const rows = [...result.columns].sort((a, b) => Number(b.drift) - Number(a.drift) || (METHODS[a.method].score === 'pValue' ? a.score : -a.score) - (METHODS[b.method].score === 'pValue' ? b.score : -b.score));
  const table = renderTable(
    ['COLUMN', 'TYPE', 'METHOD', 'SCORE', 'THRESHOLD', 'DRIFT', 'MISSING (REF/CUR)'],
    rows.map((row) => [row.column, row.type, row.method, formatMetricValue(row.score), String(row.threshold), row.drift ? 'yes' : 'no', `${row.reference.missing + row.reference.infinite}/${row.current.missing + row.current.infinite}`]),
  );
  const summary = `Drift in ${result.drifted} of ${result.columns.length} columns (${(result.share * 100).toFixed(0)}%): ${result.datasetDrift ? 'dataset drift detected' : 'no dataset drift'} (drift share ${result.driftShare}).`;
  const skipped = result.skipped.map((skip) => `Skipped ${skip.column}: ${skip.reason}.`);
  return [`${path.basename(reference)} -> ${path.basename(current)}`, table.trimEnd(), summary, ...skipped].join('\n') + '\n';
}

function renderOverTime(overTime: DriftOverTime): string {
  const timed = 'milliseconds' in overTime.window;
  const label = (start: number, end: number) => (timed ? `${new Date(start).toISOString().replace('.000Z', 'Z')} +${(overTime.window as { label: string }).label}` : `rows ${start + 1}-${end + 1}`);
  const table = renderTable(
    ['CHUNK', 'ROWS', 'DRIFTED', 'DATASET DRIFT', 'COLUMNS THAT DRIFTED'],
    overTime.chunks.map((chunk) => [label(chunk.start, chunk.end), String(chunk.rows), `${chunk.result.drifted}/${chunk.result.columns.length}`, chunk.result.datasetDrift ? 'yes' : 'no', chunk.result.columns.filter((column) => column.drift).map((column) => column.column).join(', ')]),
    80,
  );
  const flagged = overTime.chunks.filter((chunk) => chunk.result.datasetDrift).length;
  const lines = [table.trimEnd(), `Dataset drift in ${flagged} of ${overTime.chunks.length} chunks${overTime.baseline ? ' (baseline: the reference chunks, mean + 3 std)' : ''}.`];
  if (overTime.untimedRows > 0) lines.push(`${overTime.untimedRows} rows without a readable time were left out.`);
  return lines.join('\n') + '\n';
}

export async function driftCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        method: { type: 'string' },
        threshold: { type: 'string' },
        column: { type: 'string', multiple: true },
        correction: { type: 'string' },
        'drift-share': { type: 'string' },
        bins: { type: 'string' },
        'fail-on-drift': { type: 'boolean' },
        window: { type: 'string' },
        'time-column': { type: 'string' },
        baseline: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(DRIFT_USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`drift takes two files, REFERENCE and CURRENT (got ${positionals.length})`);
  const options: DriftOptions = {};
  if (values.method !== undefined) options.method = parseMethod(values.method);
  if (values.threshold !== undefined) options.threshold = parseNumber('--threshold', values.threshold, (number) => number >= 0, 'a number >= 0');
  if (values.column) options.columns = parseColumns(values.column);
  if (values.correction !== undefined) {
    const corrections = { none: 'none', bonferroni: 'bonferroni', bh: 'benjamini-hochberg' } as const;
    const correction = corrections[values.correction as keyof typeof corrections];
    if (!Object.hasOwn(corrections, values.correction)) throw new UsageError(`--correction takes none, bonferroni or bh, not "${values.correction}"`);
    options.correction = correction;
  }
  if (values['drift-share'] !== undefined) options.driftShare = parseNumber('--drift-share', values['drift-share'], (number) => number > 0 && number <= 1, 'a number in (0, 1]');
  const binning = parseBins(values.bins);
  if (binning) options.binning = binning;
  const [referenceFile, currentFile] = positionals.map((file) => path.resolve(io.cwd, file)) as [string, string];
  const tables = [referenceFile, currentFile].map((file) => {
    try {
      return loadTable(file);
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
  });
  const [reference, current] = tables as [ReturnType<typeof loadTable>, ReturnType<typeof loadTable>];
  for (const [file, table] of [[referenceFile, reference], [currentFile, current]] as const) {
    for (const problem of table.problems) io.err(`${file}:${problem.line}: ${problem.message}\n`);
  }
  if (values.window !== undefined || values['time-column'] !== undefined || values.baseline !== undefined) {
    const window = values.window === undefined ? undefined : parseWindow(values.window);
    if (!window) throw new UsageError(`--window takes a duration (30m, 1h, 1d, 7d) or a row count, not "${values.window ?? ''}"`);
    if ('milliseconds' in window && values['time-column'] === undefined) throw new UsageError('a --window of time needs --time-column');
    if (values.baseline !== undefined && values.baseline !== 'threshold' && values.baseline !== 'chunks') throw new UsageError(`--baseline takes threshold or chunks, not "${values.baseline}"`);
    let overTime: DriftOverTime;
    try {
      overTime = driftOverTime(reference.columns, current.columns, window, { ...options, ...(values['time-column'] !== undefined ? { timeColumn: values['time-column'] } : {}), baseline: (values.baseline as 'threshold' | 'chunks' | undefined) ?? 'threshold' });
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
    if (values.json) io.out(`${JSON.stringify({ reference: { file: referenceFile, rows: reference.rows }, current: { file: currentFile, rows: current.rows }, ...overTime }, null, 2)}\n`);
    else io.out(renderOverTime(overTime));
    return values['fail-on-drift'] && overTime.chunks.some((chunk) => chunk.result.datasetDrift) ? 1 : 0;
  }
  const result = datasetDrift(reference.columns, current.columns, options);
  if (values.json) io.out(`${JSON.stringify({ reference: { file: referenceFile, rows: reference.rows }, current: { file: currentFile, rows: current.rows }, ...result }, null, 2)}\n`);
  else io.out(render(result, referenceFile, currentFile));
  return values['fail-on-drift'] && result.datasetDrift ? 1 : 0;
}
