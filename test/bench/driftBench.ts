// Drift figures for `npm run bench`: reading a 1M x 20 CSV into columns, and KS + Wasserstein on 1M vs 1M values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ksAndWasserstein } from '../../src/drift/stats/ks.ts';
import { readCsv } from '../../src/drift/table/csv.ts';
import { seededRandom } from '../support/tempStore.ts';

const ROWS = 1_000_000;
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 10) / 10;
}

/** 16 numeric columns and 4 categorical ones, as the research's parser measurement (168 MB). */
function writeCsv(file: string): void {
  const random = seededRandom(1);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${Array.from({ length: 20 }, (_, column) => (column < 16 ? `num_${column}` : `cat_${column}`)).join(',')}\n`);
  let lines: string[] = [];
  for (let row = 0; row < ROWS; row++) {
    const fields: string[] = [];
    for (let column = 0; column < 16; column++) fields.push((random() * 1000 - 500).toFixed(4));
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
