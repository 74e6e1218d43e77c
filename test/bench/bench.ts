// `npm run bench`: one JSON line per figure, {"name", "value", "unit", "target", ...}. Each timing is the median
// of several samples, each taken in a fresh Node process (as a window load or a CLI call would be).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../tools/toolchain.ts';
import { generateWorkspace } from '../workspace/generateWorkspace.ts';
import { benchCompare } from './compareBench.ts';
import { benchDatasets } from './datasetsBench.ts';
import { benchDrift } from './driftBench.ts';
import { benchJobs } from './jobsBench.ts';
import { benchSources } from './sourcesBench.ts';

const RUNS = 10_000;
const STEPS = 25; // 4 metrics x 25 steps x 10,000 runs = 1,000,000 points
const SAMPLES = Number(process.env.MLTRAIL_BENCH_SAMPLES ?? 5);
const probe = path.join(repoRoot, 'test', 'bench', 'probe.ts');

function emit(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Runs the probe in a fresh process and returns what it measured. */
function probeOnce(task: string, ...args: string[]): Record<string, number> {
  const output = execFileSync(process.execPath, [probe, task, ...args], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop() as string) as Record<string, number>;
}

function sampled(task: string, args: string[], key: string, prepare?: () => void): { value: number; samples: number[]; last: Record<string, number> } {
  const samples: number[] = [];
  let last: Record<string, number> = {};
  for (let sample = 0; sample < SAMPLES; sample++) {
    prepare?.();
    last = probeOnce(task, ...args);
    samples.push(round(last[key] as number));
  }
  return { value: median(samples), samples, last };
}

const benchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-bench-'));
try {
  const folder = path.join(benchRoot, 'workspace');
  const store = path.join(folder, '.mltrail');
  const generated = generateWorkspace(folder, { runs: RUNS, experiments: ['resnet-baseline', 'vit-finetune', 'augmentation', 'lr-sweep', 'distillation'], steps: STEPS, seed: 7, allFinished: true });
  const clearCache = () => fs.rmSync(path.join(store, 'cache'), { recursive: true, force: true });
  const meta = { runs: RUNS, points: RUNS * STEPS * 4, machine: `${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? ''}`.trim(), node: process.version };

  const cold = sampled('index', [store], 'ms', clearCache);
  emit({ name: 'index.cold', value: cold.value, unit: 'ms', target: '<= 1500', samples: cold.samples, peakRssMiB: cold.last.rssMiB, ...meta });

  probeOnce('index', store, '--save-cache');
  const warm = sampled('index', [store], 'ms');
  emit({ name: 'index.warm', value: warm.value, unit: 'ms', target: '<= 200', samples: warm.samples, ...meta });

  const liveRun = generated[generated.length - 1]?.id as string;
  const live = probeOnce('live-append', store, liveRun);
  emit({ name: 'index.liveAppend100', value: round(live.medianMs as number), unit: 'ms', target: '<= 50', samples: live.samples, appendsMeasured: live.rounds });

  const activation = sampled('activate', [folder, path.join(repoRoot, 'dist', 'extension.cjs')], 'ms');
  emit({ name: 'extension.activate', value: activation.value, unit: 'ms', target: '<= 100', samples: activation.samples, note: 'bundle load + activate() against a stub vscode module, 10,000-run workspace' });

  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const wholeProcess = (useCache: boolean) => {
    const samples: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      if (!useCache) clearCache();
      const started = performance.now();
      const result = spawnSync(process.execPath, [cli, 'runs', '--json', '--store', store], { encoding: 'utf8', maxBuffer: 1 << 30 });
      samples.push(round(performance.now() - started));
      if (result.status !== 0) throw new Error(result.stderr);
      if ((JSON.parse(result.stdout) as unknown[]).length !== RUNS) throw new Error('mltrail runs --json did not list every run');
    }
    return samples;
  };
  const cliCold = wholeProcess(false);
  emit({ name: 'cli.runsJson.cold', value: median(cliCold), unit: 'ms', target: '<= 2000', samples: cliCold, note: 'whole process, no index cache', ...meta });
  const cliWarm = wholeProcess(true);
  emit({ name: 'cli.runsJson.warm', value: median(cliWarm), unit: 'ms', target: '<= 2000', samples: cliWarm, note: 'whole process, index cache present', ...meta });

  await benchCompare(emit);
  await benchSources(emit);
  await benchDrift(emit);
  await benchDatasets(emit);
  await benchJobs(emit);
  // In Chromium: the compare table scrolled, and the compare view at scale in code-server (minutes of setup, so
  // MLTRAIL_BENCH_E2E=0 skips that one).
  const browserFigure = (script: string) => {
    const output = execFileSync(process.execPath, [path.join(repoRoot, 'test', 'e2e', script)], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    const figure = output.trim().split('\n').filter((line) => line.startsWith('{')).pop();
    if (!figure) throw new Error(`${script} printed no figure`);
    process.stdout.write(`${figure}\n`);
  };
  browserFigure('tableScroll.ts');
  if (process.env.MLTRAIL_BENCH_E2E !== '0') browserFigure('compareScale.ts');

  const vsix = path.join(repoRoot, 'out', 'mltrail.vsix');
  if (fs.existsSync(vsix)) emit({ name: 'vsix.size', value: round(fs.statSync(vsix).size / 1024 / 1024 * 1000) / 1000, unit: 'MB', target: '<= 3', bytes: fs.statSync(vsix).size });
  else emit({ name: 'vsix.size', value: null, unit: 'MB', target: '<= 3', note: 'out/mltrail.vsix missing: run npm run package first' });
} finally {
  fs.rmSync(benchRoot, { recursive: true, force: true });
}
