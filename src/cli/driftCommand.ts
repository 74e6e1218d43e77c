import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Binning, type DriftMethod, METHODS } from '../drift/columnDrift.ts';
import type { ColumnResult, DatasetDrift, DriftOptions } from '../drift/datasetDrift.ts';
import { resolveDatasetSpec } from '../datasets/datasetInput.ts';
import { runDriftJob } from '../drift/driftJob.ts';
import { buildReport, saveReport } from '../drift/driftReport.ts';
import { encodeNonFinite } from '../drift/reportNumbers.ts';
import { parseWindow } from '../drift/chunkWindow.ts';
import type { DriftOverTime } from '../drift/overTime.ts';
import { TABLE_FORMATS } from '../drift/table/tableFormats.ts';
import { formatMetricValue } from '../platform/format.ts';
import { loadWorkspaceConfig } from '../store/config.ts';
import { type CliIo, UsageError } from './cliIo.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { renderTable } from './table.ts';

const METHOD_NAMES = Object.keys(METHODS) as DriftMethod[];
const DEFAULT_QUANTILE_BINS = 10;

export const DRIFT_USAGE = `Usage: mltrail drift REFERENCE CURRENT [--json] [--columns a,b] [--method M] [--threshold X]
                    [--bins sturges|quantile[:N]] [--correction none|bonferroni|bh] [--drift-share S]
                    [--time-column COL --window W [--baseline threshold|chunks]] [--save [--store DIR]]

Compare two tables column by column (matched by name) and decide whether the data drifted. Files: ${TABLE_FORMATS.join(', ')};\nor a dataset of ./mltrail.json as NAME (its latest version) or NAME@VERSION, when that version is what is on disk.
Exit codes: 0 no dataset drift, 1 dataset drift (over time: in any chunk), 2 an error.

  --json            print the result as JSON (see docs/drift.md)
  --columns a,b     only these columns
  --method M        auto (Evidently's default choice per column) or one of ${METHOD_NAMES.join(', ')};
                    NAME=M[:X] sets a method (and threshold) for one column; repeat --method for several
  --threshold X     the threshold for every column (default: the method's own, 0.05 for tests, 0.1 for distances)
  --bins B          how distances bin numbers: sturges (default, as Evidently) or quantile[:N] of the reference
  --correction C    adjust the tests' p-values across columns: none (default), bonferroni, bh (Benjamini-Hochberg)
  --drift-share S   the dataset drifts when at least this share of its columns do (default 0.5)
  --time-column COL the column holding each row's time (ISO 8601, or epoch seconds or milliseconds)
  --window W        drift over time: split CURRENT into chunks of a duration (30m, 1h, 1d, 7d; needs --time-column)
                    or of W rows, and test each chunk against the whole reference
  --baseline B      threshold (default): each method's threshold; chunks: a column drifts when its score passes
                    the mean of the reference's own chunks by 3 standard deviations (NannyML's rule)
  --save            also write the report to <store>/drift/<id>.json (the store: --store DIR, else ./mltrail.json's)
`;

/**
 * A path, or a dataset of ./mltrail.json: `train@3`, `train@v3`, or `train` for its latest version (when no file of
 * that name exists). A dataset version must be what is on disk: MLTrail records hashes, not copies.
 */
async function resolveInput(io: CliIo, spec: string): Promise<{ file: string; dataset?: { name: string; version: number } }> {
  const file = path.resolve(io.cwd, spec);
  if (fs.existsSync(file)) return { file };
  const table = await resolveDatasetSpec(loadWorkspaceConfig(io.cwd), spec);
  return table ? { file: table.file, dataset: table.dataset } : { file };
}

function parseMethod(value: string): DriftMethod | 'auto' {
  if (value === 'auto' || METHOD_NAMES.includes(value as DriftMethod)) return value as DriftMethod | 'auto';
  throw new UsageError(`unknown method "${value}" (expected auto, ${METHOD_NAMES.join(', ')})`);
}

function parseNumber(flag: string, value: string, check: (value: number) => boolean, expected: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number)) throw new UsageError(`${flag} must be ${expected}, not "${value}"`);
  return number;
}

/** `--method ks` for every column, `--method price=psi:0.2` for one. */
function applyMethods(values: string[], options: DriftOptions): void {
  for (const value of values) {
    const perColumn = /^(.+)=([a-z0-9]+)(?::(.+))?$/.exec(value);
    if (!perColumn) {
      options.method = parseMethod(value);
      continue;
    }
    const [, name, method, threshold] = perColumn as unknown as [string, string, string, string | undefined];
    const column = { method: parseMethod(method), ...(threshold !== undefined ? { threshold: parseNumber('--method threshold', threshold, (number) => number >= 0, 'a number >= 0') } : {}) };
    Object.defineProperty((options.columnOptions ??= {}), name, { value: column, enumerable: true, writable: true, configurable: true });
  }
}

function parseBins(value: string | undefined): Binning | undefined {
  if (value === undefined) return undefined;
  if (value === 'sturges') return 'sturges';
  const match = /^quantile(?::(\d+))?$/.exec(value);
  const bins = match ? Number(match[1] ?? DEFAULT_QUANTILE_BINS) : Number.NaN;
  if (!(bins >= 2)) throw new UsageError(`--bins takes sturges or quantile[:N] with N >= 2, not "${value}"`);
  return { quantiles: bins };
}

function render(result: DatasetDrift, reference: string, current: string): string {
  const order = (column: ColumnResult) => (column.pValue !== undefined ? column.pValue : -column.statistic);
  const rows = [...result.columns].sort((a, b) => Number(b.drift) - Number(a.drift) || order(a) - order(b));
  const table = renderTable(
    ['COLUMN', 'TYPE', 'METHOD', 'STATISTIC', 'P-VALUE', 'THRESHOLD', 'DRIFT', 'MISSING (REF/CUR)'],
    rows.map((row) => [row.name, row.type, row.method, formatMetricValue(row.statistic), row.pValue === undefined ? '' : formatMetricValue(row.pValue), String(row.threshold), row.drift ? 'yes' : 'no', `${row.reference.missing + row.reference.infinite}/${row.current.missing + row.current.infinite}`]),
  );
  const summary = `Drift in ${result.drifted} of ${result.columns.length} columns (${(result.share * 100).toFixed(0)}%): ${result.datasetDrift ? 'dataset drift detected' : 'no dataset drift'} (drift share ${result.driftShare}).`;
  const skipped = result.skipped.map((skip) => `Skipped ${skip.name}: ${skip.reason}.`);
  return [`${path.basename(reference)} -> ${path.basename(current)}`, table.trimEnd(), summary, ...skipped].join('\n') + '\n';
}

function renderOverTime(overTime: DriftOverTime): string {
  const timed = 'milliseconds' in overTime.window;
  const label = (start: number, end: number) => (timed ? `${new Date(start).toISOString().replace('.000Z', 'Z')} +${(overTime.window as { label: string }).label}` : `rows ${start + 1}-${end + 1}`);
  const table = renderTable(
    ['CHUNK', 'ROWS', 'DRIFTED', 'DATASET DRIFT', 'COLUMNS THAT DRIFTED'],
    overTime.chunks.map((chunk) => [label(chunk.start, chunk.end), String(chunk.rows), `${chunk.result.drifted}/${chunk.result.columns.length}`, chunk.result.datasetDrift ? 'yes' : 'no', chunk.result.columns.filter((column) => column.drift).map((column) => column.name).join(', ')]),
    80,
  );
  const flagged = overTime.chunks.filter((chunk) => chunk.result.datasetDrift).length;
  const lines = [table.trimEnd(), `Dataset drift in ${flagged} of ${overTime.chunks.length} chunks${overTime.baseline ? ' (baseline: the reference chunks, mean + 3 std)' : ''}.`];
  if (overTime.untimedRows > 0) lines.push(`${overTime.untimedRows} rows without a readable time were left out.`);
  return lines.join('\n') + '\n';
}

function parseOptions(values: Record<string, string | string[] | boolean | undefined>): DriftOptions {
  const options: DriftOptions = {};
  if (values.method !== undefined) applyMethods(values.method as string[], options);
  if (values.columns !== undefined) options.only = (values.columns as string).split(',').map((name) => name.trim()).filter(Boolean);
  if (values.threshold !== undefined) options.threshold = parseNumber('--threshold', values.threshold as string, (number) => number >= 0, 'a number >= 0');
  if (values.correction !== undefined) {
    const corrections = { none: 'none', bonferroni: 'bonferroni', bh: 'benjamini-hochberg' } as const;
    if (!Object.hasOwn(corrections, values.correction as string)) throw new UsageError(`--correction takes none, bonferroni or bh, not "${values.correction}"`);
    options.correction = corrections[values.correction as keyof typeof corrections];
  }
  if (values['drift-share'] !== undefined) options.driftShare = parseNumber('--drift-share', values['drift-share'] as string, (number) => number > 0 && number <= 1, 'a number in (0, 1]');
  const binning = parseBins(values.bins as string | undefined);
  if (binning) options.binning = binning;
  return options;
}

export async function driftCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        columns: { type: 'string' },
        method: { type: 'string', multiple: true },
        threshold: { type: 'string' },
        correction: { type: 'string' },
        'drift-share': { type: 'string' },
        bins: { type: 'string' },
        window: { type: 'string' },
        'time-column': { type: 'string' },
        baseline: { type: 'string' },
        save: { type: 'boolean' },
        store: { type: 'string' },
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
  const options = parseOptions(values);
  const overTime = values.window !== undefined || values['time-column'] !== undefined || values.baseline !== undefined;
  const window = values.window === undefined ? undefined : parseWindow(values.window);
  if (overTime) {
    if (!window) throw new UsageError(`--window takes a duration (30m, 1h, 1d, 7d) or a row count, not "${values.window ?? ''}"`);
    if ('milliseconds' in window && values['time-column'] === undefined) throw new UsageError('a --window of time needs --time-column');
    if (values.baseline !== undefined && values.baseline !== 'threshold' && values.baseline !== 'chunks') throw new UsageError(`--baseline takes threshold or chunks, not "${values.baseline}"`);
  }
  try {
    const [reference, current] = await Promise.all(positionals.map((spec) => resolveInput(io, spec)));
    const [referenceFile, currentFile] = [reference?.file, current?.file] as [string, string];
    const timeColumn = values['time-column'];
    const baseline = (values.baseline as 'threshold' | 'chunks' | undefined) ?? 'threshold';
    const storeDir = values.save ? resolveStoreDir(io, values.store) : undefined;
    const result = await runDriftJob(
      { reference: referenceFile, current: currentFile, options, details: Boolean(values.save), ...(overTime && window ? { overTime: { window, baseline, ...(timeColumn !== undefined ? { timeColumn } : {}) } } : {}) },
      io.driftWorkerScript ? { workerScript: io.driftWorkerScript } : {},
    );
    for (const table of [result.reference, result.current]) {
      for (const problem of table.problems) io.err(`${table.file}:${problem.line}: ${problem.message}\n`);
    }
    const inputs = { reference: { file: referenceFile, rows: result.reference.rows }, current: { file: currentFile, rows: result.current.rows } };
    let json: Record<string, unknown>;
    let drifted: boolean;
    let text: string;
    if (result.overTime) {
      drifted = result.overTime.chunks.some((chunk) => chunk.result.datasetDrift);
      json = { ...inputs, datasetDrift: drifted, ...result.overTime };
      text = renderOverTime(result.overTime);
    } else {
      drifted = result.drift.datasetDrift;
      json = { ...inputs, ...result.drift };
      text = render(result.drift, referenceFile, currentFile);
    }
    if (storeDir !== undefined) {
      const reportOptions = { ...options, ...(timeColumn !== undefined ? { timeColumn } : {}), ...(values.window !== undefined ? { window: values.window, baseline } : {}) };
      const datasets = { ...(reference?.dataset ? { reference: reference.dataset } : {}), ...(current?.dataset ? { current: current.dataset } : {}) };
      text += `Saved ${saveReport(storeDir, buildReport(result, reportOptions, datasets))}\n`;
    }
    io.out(values.json ? `${JSON.stringify(json, encodeNonFinite, 2)}\n` : text);
    return drifted ? 1 : 0;
  } catch (error) {
    // Exit code 1 means drift here: every failure, of the inputs or of the store for --save, is a 2.
    io.err(`mltrail: ${(error as Error).message}\n`);
    return 2;
  }
}
