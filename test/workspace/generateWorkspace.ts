// Generates workspaces with realistic training runs for the demo, the integration and end-to-end tests and the
// benchmarks: loss curves that decay with noise, accuracies that saturate, cosine learning-rate schedules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newRunId } from '../../src/store/layout.ts';
import { seededRandom } from '../support/tempStore.ts';

export interface WorkspaceSpec {
  runs: number;
  experiments: string[];
  /** Logged steps per run; each step logs every metric. */
  steps: number;
  seed?: number;
  /** Runs whose names, experiments, params and tags are HTML, script and Markdown payloads. */
  hostileRuns?: boolean;
  /** A run with malformed lines, to show up in the Problems panel. */
  malformedRun?: boolean;
  /** mltrail.json content; omitted: none is written. */
  config?: Record<string, unknown>;
  /** Runs started by this process (running while it lives), for live tests and the demo. */
  liveRuns?: number;
  /** Newest run's start time (ms); runs are spaced back from it. */
  now?: number;
  /** Every generated run finishes all its steps (benchmarks count exact points). */
  allFinished?: boolean;
}

export const HOSTILE_NAME = '<img src=x onerror="window.__mltrailPwned=1">';
export const HOSTILE_EXPERIMENT = '<script>window.__mltrailPwned=2</script>';
export const HOSTILE_PARAM_KEY = '<b onmouseover="window.__mltrailPwned=3">key</b>';
export const HOSTILE_PARAM_VALUE = '"><svg onload="window.__mltrailPwned=4">';
export const HOSTILE_TAG = '[click me](command:workbench.action.quit) **bold** `code`';

export const METRICS = ['train/loss', 'val/loss', 'val/acc', 'lr'];
const OPTIMIZERS = ['adamw', 'sgd', 'lion'];
const MODELS = ['resnet50', 'vit-b16', 'convnext-t'];

export interface GeneratedRun {
  id: string;
  experiment: string;
  name: string;
  status: 'finished' | 'failed' | 'killed' | 'running';
  params: Record<string, unknown>;
}

function metricLines(steps: number, params: { lr: number }, random: () => number, startTime: number, stepMs: number): string {
  const floor = 0.05 + random() * 0.2;
  const rate = 3 + random() * 4;
  const lines: string[] = [];
  for (let step = 0; step < steps; step++) {
    const progress = steps === 1 ? 0 : step / (steps - 1);
    const trainLoss = floor + 2.2 * Math.exp(-rate * progress) + (random() - 0.5) * 0.05;
    const valLoss = trainLoss * (1.05 + 0.3 * progress * progress) + (random() - 0.5) * 0.04;
    const valAcc = Math.min(0.995, 0.1 + 0.85 * (1 - Math.exp(-rate * 0.8 * progress)) + (random() - 0.5) * 0.02);
    const lr = params.lr * 0.5 * (1 + Math.cos(Math.PI * progress));
    const time = startTime + step * stepMs;
    const values = [trainLoss, valLoss, valAcc, lr];
    for (let metric = 0; metric < METRICS.length; metric++) {
      lines.push(`{"name":"${METRICS[metric]}","step":${step},"value":${Number((values[metric] as number).toPrecision(6))},"time":${time}}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function writeRun(storeDir: string, run: GeneratedRun, records: unknown[], metrics: string): void {
  const dir = path.join(storeDir, 'runs', run.id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.jsonl'), records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  if (metrics) fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics);
}

export function generateWorkspace(folder: string, spec: WorkspaceSpec): GeneratedRun[] {
  const random = seededRandom(spec.seed ?? 1);
  const storeDir = path.join(folder, '.mltrail');
  fs.mkdirSync(path.join(storeDir, 'runs'), { recursive: true });
  if (spec.config) fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify(spec.config, null, 2) + '\n');
  const now = spec.now ?? Date.now();
  const generated: GeneratedRun[] = [];
  const randomBytes = () => Buffer.from([0, 0, 0].map(() => Math.floor(random() * 256)));

  for (let index = 0; index < spec.runs; index++) {
    const experiment = spec.experiments[index % spec.experiments.length] as string;
    const lr = [0.0003, 0.001, 0.003, 0.01, 0.03][Math.floor(random() * 5)] as number;
    const params = {
      lr,
      batch_size: [32, 64, 128, 256][Math.floor(random() * 4)],
      optimizer: OPTIMIZERS[Math.floor(random() * OPTIMIZERS.length)],
      model: MODELS[Math.floor(random() * MODELS.length)],
      dropout: Number((random() * 0.5).toFixed(2)),
      epochs: spec.steps,
      seed: index,
    };
    const startTime = now - (spec.runs - index) * 90_000 - 600_000;
    const roll = random();
    const status = spec.allFinished || roll < 0.82 ? 'finished' : roll < 0.94 ? 'failed' : 'killed';
    const run: GeneratedRun = { id: newRunId(new Date(startTime), randomBytes()), experiment, name: `${params.model} lr=${lr} bs=${params.batch_size} #${index + 1}`, status, params };
    const steps = status === 'finished' ? spec.steps : Math.max(1, Math.floor(spec.steps * (0.2 + random() * 0.6)));
    const stepMs = 2_000;
    const endTime = startTime + steps * stepMs;
    writeRun(
      storeDir,
      run,
      [
        { type: 'start', time: startTime, experiment, name: run.name, command: ['python', 'train.py', '--lr', String(lr)], host: 'gpu-node-07', pid: 10_000 + index, git: { commit: (0x9f3c2e1 + index).toString(16).padStart(40, 'a'), branch: 'main', dirty: index % 7 === 0 } },
        { type: 'params', values: params },
        { type: 'tags', values: { owner: ['ada', 'grace', 'alan'][index % 3], dataset: 'imagenet-1k@v3' } },
        { type: 'end', time: endTime, status, exitCode: status === 'finished' ? 0 : status === 'failed' ? 1 : 137 },
      ],
      metricLines(steps, params, random, startTime, stepMs),
    );
    generated.push(run);
  }

  if (spec.hostileRuns) {
    const run: GeneratedRun = { id: newRunId(new Date(now - 60_000), Buffer.from([0xba, 0xd0, 0x01])), experiment: HOSTILE_EXPERIMENT, name: HOSTILE_NAME, status: 'finished', params: { [HOSTILE_PARAM_KEY]: HOSTILE_PARAM_VALUE, lr: 0.1 } };
    writeRun(
      storeDir,
      run,
      [
        { type: 'start', time: now - 60_000, experiment: run.experiment, name: run.name, command: ['python', '-c', '<script>alert(1)</script>'] },
        { type: 'params', values: run.params },
        { type: 'tags', values: { note: HOSTILE_TAG } },
        { type: 'end', time: now - 30_000, status: 'finished', exitCode: 0 },
      ],
      metricLines(5, { lr: 0.1 }, random, now - 60_000, 1000).replaceAll('"val/acc"', '"<i>val/acc</i>"'),
    );
    generated.push(run);
  }

  if (spec.malformedRun) {
    const run: GeneratedRun = { id: newRunId(new Date(now - 45_000), Buffer.from([0xde, 0xad, 0x00])), experiment: spec.experiments[0] as string, name: 'half-broken run', status: 'finished', params: { lr: 0.01 } };
    const dir = path.join(storeDir, 'runs', run.id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.jsonl'), `${JSON.stringify({ type: 'start', time: now - 45_000, experiment: run.experiment, name: run.name })}\n{"type":"params","values":{"lr":0.01}}\n{"type":"params","values":\n${JSON.stringify({ type: 'end', status: 'finished', exitCode: 0 })}\n`);
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '{"name":"train/loss","step":0,"value":1.5}\nnot json at all\n{"name":"train/loss","step":1,"value":"high"}\n{"name":"train/loss","step":2,"value":0.9}\n');
    generated.push(run);
  }

  for (let live = 0; live < (spec.liveRuns ?? 0); live++) {
    const startTime = now - 5_000 * (live + 1);
    const run: GeneratedRun = { id: newRunId(new Date(startTime), randomBytes()), experiment: spec.experiments[live % spec.experiments.length] as string, name: `live run ${live + 1}`, status: 'running', params: { lr: 0.001 * (live + 1), batch_size: 64 } };
    writeRun(storeDir, run, [{ type: 'start', time: startTime, experiment: run.experiment, name: run.name, command: ['python', 'train.py'], host: os.hostname(), pid: process.pid }, { type: 'params', values: run.params }], '');
    generated.push(run);
  }
  return generated;
}
