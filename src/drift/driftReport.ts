import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform/atomicFile.ts';
import { newRunId } from '../store/layout.ts';
import type { DriftJobResult, DriftReport, ReportTable, TableSummary } from './reportModel.ts';
import { encodeNonFinite, reviveNonFinite } from './reportNumbers.ts';

export type { DriftReport, ReportTable } from './reportModel.ts';

export const DRIFT_DIR = 'drift';
export const REPORT_FORMAT = 1;

/** A report's headline, enough to list it: read without keeping its details. */
export interface ReportSummary {
  id: string;
  time: string;
  file: string;
  reference: ReportTable;
  current: ReportTable;
  datasetDrift: boolean;
  drifted: number;
  compared: number;
  /** Over time: the chunks, and how many drifted. */
  chunks?: { total: number; drifted: number };
}

export function buildReport(result: DriftJobResult, options: DriftReport['options'], tables: { reference?: ReportTable['dataset']; current?: ReportTable['dataset'] } = {}, at = new Date()): DriftReport {
  const table = (summary: TableSummary, dataset: ReportTable['dataset']): ReportTable => (dataset ? { ...summary, dataset } : summary);
  const report: DriftReport = {
    format: REPORT_FORMAT,
    id: newRunId(at),
    time: at.toISOString(),
    reference: table(result.reference, tables.reference),
    current: table(result.current, tables.current),
    options,
    datasetDrift: result.drift.datasetDrift,
    driftShare: result.drift.driftShare,
    share: result.drift.share,
    drifted: result.drift.drifted,
    columns: result.drift.columns,
    skipped: result.drift.skipped,
    details: result.details,
  };
  if (result.overTime) report.overTime = result.overTime;
  return report;
}

export function reportsDir(storeDir: string): string {
  return path.join(storeDir, DRIFT_DIR);
}

/** Writes the report atomically, so a watcher never reads half of it. */
export function saveReport(storeDir: string, report: DriftReport): string {
  const file = path.join(reportsDir(storeDir), `${report.id}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(report, encodeNonFinite, 1)}\n`);
  return file;
}

export function isDriftReport(value: unknown): value is DriftReport {
  if (value === null || typeof value !== 'object') return false;
  const report = value as Partial<DriftReport>;
  return typeof report.id === 'string' && typeof report.time === 'string' && Array.isArray(report.columns) && typeof report.reference === 'object' && report.reference !== null && typeof report.current === 'object' && report.current !== null;
}

export function readReport(file: string): DriftReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'), reviveNonFinite);
  } catch (error) {
    throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such report' : `not a readable drift report (${(error as Error).message})`}`);
  }
  if (!isDriftReport(parsed)) throw new Error(`${file}: not a drift report (it lacks id, time, reference, current or columns)`);
  return { ...parsed, details: parsed.details ?? {}, skipped: parsed.skipped ?? [] };
}

export interface ReportListing {
  reports: ReportSummary[];
  problems: Array<{ file: string; message: string }>;
}

/** The store's saved reports, newest first; unreadable files are reported, not fatal. */
export function listReports(storeDir: string): ReportListing {
  const dir = reportsDir(storeDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return { reports: [], problems: [] };
  }
  const listing: ReportListing = { reports: [], problems: [] };
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const report = readReport(file);
      const summary: ReportSummary = { id: report.id, time: report.time, file, reference: report.reference, current: report.current, datasetDrift: report.datasetDrift, drifted: report.drifted, compared: report.columns.length };
      if (report.overTime) summary.chunks = { total: report.overTime.chunks.length, drifted: report.overTime.chunks.filter((chunk) => chunk.result.datasetDrift).length };
      listing.reports.push(summary);
    } catch (error) {
      listing.problems.push({ file, message: (error as Error).message });
    }
  }
  listing.reports.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return listing;
}
