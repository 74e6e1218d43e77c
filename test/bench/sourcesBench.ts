// Reading other trackers' runs in place: an MLflow file store and the same runs in an MLflow SQLite database,
// 1,000 runs x 5 metrics x 1,000 steps. Each timing is the median of several loads, each in a fresh Node process
// with the worker bundled as the extension ships it. `node test/bench/sourcesBench.ts` prints one JSON line per
// figure; bench drivers call `benchSources(emit)`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GENERATED_EXPERIMENTS,
  createMlflowDatabase,
  generateMlflowRuns,
  insertExperiment,
  insertRun,
  writeFileStoreExperiment,
  writeFileStoreRun,
} from '../fixtures/sources/mlflowWriters.ts';

const SHAPE = { runs: 1000, metrics: 5, steps: 1000, seed: 3 };
const SAMPLES = Number(process.env.MLTRAIL_BENCH_SAMPLES ?? 3);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const thisFile = fileURLToPath(import.meta.url);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The worker as esbuild.js bundles the others (dist/workers/sources.js), into `dir`. */
async function bundleWorker(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = path.join(dir, 'sources.js');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'src', 'sources', 'sourcesWorker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22.19',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}

/** One load in this process, as the probe child runs it. */
async function probe(kind: string, location: string, workerScript: string): Promise<void> {
  const { openSource } = await import('../../src/sources/openSources.ts');
  const source = openSource({ kind: 'mlflow', path: location, origin: 'detected' }, { folder: path.dirname(location), workerScript });
  const started = performance.now();
  const snapshot = await source.load();
  const ms = performance.now() - started;
  if (snapshot.runs.length !== SHAPE.runs || snapshot.problems.length > 0) throw new Error(`${kind}: ${snapshot.runs.length} runs, problems ${JSON.stringify(snapshot.problems.slice(0, 3))}`);
  const points = snapshot.runs.reduce((sum, run) => sum + Object.values(run.metrics).reduce((count, summary) => count + summary.count, 0), 0);
  if (points !== SHAPE.runs * SHAPE.metrics * SHAPE.steps) throw new Error(`${kind}: ${points} points summarized`);
  process.stdout.write(`${JSON.stringify({ ms, rssMiB: Math.round(process.memoryUsage().rss / 1048576) })}\n`);
}

function sampleLoads(kind: string, location: string, workerScript: string): { value: number; samples: number[]; rssMiB: number } {
  const samples: number[] = [];
  let rssMiB = 0;
  for (let sample = 0; sample < SAMPLES; sample++) {
    const output = execFileSync(process.execPath, [thisFile, '--probe', kind, location, workerScript], { encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop() as string) as { ms: number; rssMiB: number };
    samples.push(round(result.ms));
    rssMiB = Math.max(rssMiB, result.rssMiB);
  }
  return { value: median(samples), samples, rssMiB };
}

async function writeDatabase(file: string): Promise<void> {
  const database = await createMlflowDatabase(file);
  database.exec('BEGIN');
  for (const experiment of GENERATED_EXPERIMENTS) insertExperiment(database, experiment);
  for (const run of generateMlflowRuns(SHAPE)) insertRun(database, run);
  database.exec('COMMIT');
  database.close();
}

async function hasSqlite(): Promise<boolean> {
  try {
    await import('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

export async function benchSources(emit: (figure: Record<string, unknown>) => void): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-sources-bench-'));
  try {
    const workerScript = await bundleWorker(root);
    const meta = {
      ...SHAPE,
      points: SHAPE.runs * SHAPE.metrics * SHAPE.steps,
      machine: `${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? ''}`.trim(),
      node: process.version,
      note: 'fresh process per sample, hot page cache, bundled worker',
    };
    const mlruns = path.join(root, 'mlruns');
    for (const experiment of GENERATED_EXPERIMENTS) writeFileStoreExperiment(mlruns, experiment);
    for (const run of generateMlflowRuns(SHAPE)) writeFileStoreRun(mlruns, run);
    const fileStore = sampleLoads('fileStore', mlruns, workerScript);
    emit({ name: 'sources.mlflowFileStore.load', value: fileStore.value, unit: 'ms', target: '<= 1500', samples: fileStore.samples, peakRssMiB: fileStore.rssMiB, ...meta });
    fs.rmSync(mlruns, { recursive: true, force: true });

    if (!(await hasSqlite())) {
      emit({ name: 'sources.mlflowSqlite.load', value: null, unit: 'ms', note: `node:sqlite is missing in Node ${process.version}` });
      return;
    }
    const database = path.join(root, 'mlflow.db');
    await writeDatabase(database);
    const sqlite = sampleLoads('sqlite', database, workerScript);
    emit({ name: 'sources.mlflowSqlite.load', value: sqlite.value, unit: 'ms', samples: sqlite.samples, peakRssMiB: sqlite.rssMiB, databaseMiB: Math.round(fs.statSync(database).size / 1048576), ...meta });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === thisFile) {
  if (process.argv[2] === '--probe') {
    const [kind, location, workerScript] = process.argv.slice(3) as [string, string, string];
    await probe(kind, location, workerScript);
  } else {
    await benchSources((figure) => process.stdout.write(`${JSON.stringify(figure)}\n`));
  }
}
