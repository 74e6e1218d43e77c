// Drift figures for `npm run bench`: reading a 1M x 20 CSV into columns, and KS + Wasserstein on 1M vs 1M values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ksAndWasserstein } from '../../src/drift/stats/ks.ts';
import { readCsv } from '../../src/drift/table/csv.ts';
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../tools/toolchain.ts';
import { seededRandom } from '../support/tempStore.ts';

const ROWS = 1_000_000;
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 10) / 10;
}

/** 16 numeric columns and 4 categorical ones, as the research's parser measurement (168 MB). */
function writeCsv(file: string, seed = 1, shift = 0): void {
  const random = seededRandom(seed);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${Array.from({ length: 20 }, (_, column) => (column < 16 ? `num_${column}` : `cat_${column}`)).join(',')}\n`);
  let lines: string[] = [];
  for (let row = 0; row < ROWS; row++) {
    const fields: string[] = [];
    for (let column = 0; column < 16; column++) fields.push((random() * 1000 - 500 + (column < 4 ? shift : 0)).toFixed(4));
    for (let column = 0; column < 4; column++) fields.push(CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string);
    lines.push(fields.join(','));
    if (lines.length === 50_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  fs.closeSync(fd);
}

export async function benchDrift(emit: (figure: Record<string, unknown>) => void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-drift-bench-'));
  try {
    const file = path.join(dir, 'table.csv');
    writeCsv(file);
    const bytes = fs.readFileSync(file);
    const samples: number[] = [];
    let peakRss = 0;
    for (let sample = 0; sample < 3; sample++) {
      const started = performance.now();
      readCsv(bytes);
      samples.push(performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    emit({ name: 'drift.csvRead1Mx20', value: median(samples), unit: 'ms', target: '<= 2000', samples: samples.map((value) => Math.round(value)), megabytes: Math.round(bytes.length / 1e6), peakRssMiB: Math.round(peakRss / 1048576), note: 'one thread; research figures here: a tuned byte parser ~1 s, PapaParse 8 s' });
    const random = seededRandom(2);
    const reference = Float64Array.from({ length: ROWS }, () => random());
    const current = Float64Array.from({ length: ROWS }, () => random() + 0.001);
    const statistics: number[] = [];
    for (let sample = 0; sample < 3; sample++) {
      const started = performance.now();
      ksAndWasserstein(reference, current);
      statistics.push(performance.now() - started);
    }
    emit({ name: 'drift.ksWasserstein1Mx1M', value: median(statistics), unit: 'ms', target: '<= 1000', samples: statistics.map((value) => Math.round(value)), note: 'scipy here: ks 1.5 s + wasserstein 0.9 s' });
    benchEndToEnd(dir, file, emit);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The drift issue's figure: both 1M x 20 files, every column tested with every method, next to pandas + scipy. */
function benchEndToEnd(dir: string, reference: string, emit: (figure: Record<string, unknown>) => void): void {
  const current = path.join(dir, 'current.csv');
  writeCsv(current, 5, 40);
  const script = path.join(repoRoot, 'test', 'bench', 'driftEndToEnd.ts');
  const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, [script, reference, current], { encoding: 'utf8' }).trim().split('\n').pop() as string) as { ms: number; peakRssMiB: number; drifted: number; columns: number; worker: string });
  const ours = median(runs.map((run) => run.ms));
  let pandas: { seconds: number; columns: number } | undefined;
  try {
    // Debian's python3, with its numpy, scipy and pandas (the test setup installs them).
    pandas = JSON.parse(execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'bench', 'drift_pandas.py'), reference, current], { encoding: 'utf8' }).trim()) as { seconds: number; columns: number };
  } catch (error) {
    process.stderr.write(`drift bench: pandas + scipy did not run (${(error as Error).message.split('\n')[0]})\n`);
  }
  const pandasMs = pandas ? Math.round(pandas.seconds * 1000) : undefined;
  emit({
    name: 'drift.endToEnd1Mx20',
    value: ours,
    unit: 'ms',
    target: '<= 3000, >= 4x pandas+scipy, peak RSS <= 800 MiB',
    samples: runs.map((run) => Math.round(run.ms)),
    peakRssMiB: Math.max(...runs.map((run) => run.peakRssMiB)),
    columns: runs[0]?.columns,
    driftedColumns: runs[0]?.drifted,
    worker: runs[0]?.worker,
    ...(pandasMs !== undefined ? { pandasScipyMs: pandasMs, speedup: Math.round((pandasMs / ours) * 10) / 10 } : {}),
    note: 'KS + Wasserstein + PSI (+ JS) per numerical column, chi-square + JS (+ PSI) per categorical one, with the drill-downs; 2 worker threads',
  });
}
