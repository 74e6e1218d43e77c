import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicAsync } from '../platform/atomicFile.ts';
import { put } from '../platform/dictionary.ts';
import { type JsonNumber, decodeJsonNumber, encodeJsonNumber } from '../platform/jsonNumbers.ts';
import { CACHE_DIR } from '../store/layout.ts';
import type { MetricSummary } from './metricFold.ts';
import type { RunEntry } from './runReader.ts';

const FORMAT = 'mltrail-run-index';
/** Bump whenever what a reader derives from the store changes: older caches are then read from scratch. */
const VERSION = 4;

/**
 * Entries are stored nearly as the index holds them, so a window load parses the cache and uses it with almost
 * no decoding. Empty lists are left out. JSON has no NaN or Infinity: the few entries with such metric values
 * carry `nonFinite` and hold those values as the strings "NaN", "Infinity" and "-Infinity".
 */
type CachedEntry = Omit<RunEntry, 'problems' | 'exactMetrics' | 'droppedProblems'> &
  Partial<Pick<RunEntry, 'problems' | 'exactMetrics' | 'droppedProblems'>> & { nonFinite?: 1 };

const SUMMARY_NUMBERS = ['last', 'min', 'max'] as const;

export function indexCacheFile(storeDir: string): string {
  return path.join(storeDir, CACHE_DIR, 'runs-index.json');
}

function hasNonFinite(entry: RunEntry): boolean {
  for (const name in entry.metrics) {
    const summary = entry.metrics[name] as MetricSummary;
    if (!Number.isFinite(summary.last) || !Number.isFinite(summary.min) || !Number.isFinite(summary.max)) return true;
  }
  return false;
}

function encodeEntry(entry: RunEntry): CachedEntry {
  const { problems, exactMetrics, droppedProblems, ...rest } = entry;
  const cached: CachedEntry = rest;
  if (problems.length) cached.problems = problems;
  if (exactMetrics.length) cached.exactMetrics = exactMetrics;
  if (Object.keys(droppedProblems).length > 0) cached.droppedProblems = droppedProblems;
  if (!hasNonFinite(entry)) return cached;
  const metrics: Record<string, unknown> = {};
  for (const [name, summary] of Object.entries(entry.metrics)) {
    const encoded: Record<string, unknown> = { ...summary };
    for (const key of SUMMARY_NUMBERS) encoded[key] = encodeJsonNumber(summary[key]);
    put<unknown>(metrics, name, encoded);
  }
  return { ...cached, metrics: metrics as RunEntry['metrics'], nonFinite: 1 };
}

function decodeEntry(cached: CachedEntry): RunEntry {
  cached.problems ??= [];
  cached.exactMetrics ??= [];
  cached.droppedProblems ??= {};
  if (cached.nonFinite === 1) {
    delete cached.nonFinite;
    for (const summary of Object.values(cached.metrics)) {
      for (const key of SUMMARY_NUMBERS) summary[key] = decodeJsonNumber(summary[key] as JsonNumber);
    }
  }
  return cached as RunEntry;
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

const isSummaryNumber = (value: unknown) => typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity';

function isCachedSummary(value: unknown): boolean {
  const summary = value as Record<string, unknown>;
  return isObject(summary) && typeof summary.step === 'number' && typeof summary.count === 'number' && isSummaryNumber(summary.last) && isSummaryNumber(summary.min) && isSummaryNumber(summary.max);
}

function everySummaryValid(metrics: Record<string, unknown>): boolean {
  for (const name in metrics) if (!isCachedSummary(metrics[name])) return false;
  return true;
}

/**
 * Shape checks, so a damaged (or planted) cache entry is dropped and its run read from the store again, rather
 * than trusted.
 */
function isCachedEntry(value: unknown): value is CachedEntry {
  const entry = value as CachedEntry;
  return (
    typeof entry?.id === 'string' &&
    isObject(entry.record) &&
    isObject(entry.record.params) &&
    isObject(entry.record.tags) &&
    isObject(entry.metrics) &&
    everySummaryValid(entry.metrics) &&
    (entry.runFile === undefined || isObject(entry.runFile)) &&
    (entry.metricsFile === undefined || isObject(entry.metricsFile)) &&
    (entry.problems === undefined || Array.isArray(entry.problems)) &&
    (entry.exactMetrics === undefined || Array.isArray(entry.exactMetrics))
  );
}

/** Reads the cache; anything unreadable, from another version or malformed, is as good as no cache. */
export function readIndexCache(storeDir: string): Map<string, RunEntry> {
  const entries = new Map<string, RunEntry>();
  let parsed: { format?: unknown; version?: unknown; runs?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(indexCacheFile(storeDir), 'utf8'));
  } catch {
    return entries;
  }
  if (parsed.format !== FORMAT || parsed.version !== VERSION || !Array.isArray(parsed.runs)) return entries;
  for (const cached of parsed.runs) {
    if (isCachedEntry(cached)) entries.set(cached.id, decodeEntry(cached));
  }
  return entries;
}

/** Writes the cache beside the store with a .gitignore of its own, so it never ends up in a commit. */
export async function writeIndexCache(storeDir: string, entries: Iterable<RunEntry>): Promise<void> {
  const file = indexCacheFile(storeDir);
  const ignore = path.join(path.dirname(file), '.gitignore');
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  if (!fs.existsSync(ignore)) await fs.promises.writeFile(ignore, '# Written by MLTrail: a cache, safe to delete.\n*\n');
  const runs = Array.from(entries, encodeEntry);
  await writeFileAtomicAsync(file, JSON.stringify({ format: FORMAT, version: VERSION, runs }));
}
