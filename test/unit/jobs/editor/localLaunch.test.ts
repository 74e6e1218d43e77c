import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultsPlan, localRunArgs, localRunSpec, spawnLocalRun, startOneAfterAnother } from '../../../../src/jobs/editor/localLaunch.ts';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { readRecordedRun } from '../../../../src/jobs/recordedRun.ts';
import { newRunId, runDir } from '../../../../src/store/layout.ts';
import { tempDir } from '../../../support/tempStore.ts';

const cliScript = path.resolve(import.meta.dirname, '../../../../src/cli.ts');

function job(extra: Partial<JobDefinition> = {}): JobDefinition {
  return { name: 'train', command: ['python', 'train.py', '--lr', '{lr}'], params: { lr: 0.1, optimizer: 'adam' }, sweep: {}, env: {}, inputs: [], ...extra };
}

describe('local launches', () => {
  it('starts one background `mltrail run` per run, params as JSON so that text stays text', () => {
    const args = localRunArgs({ cliScript: '/ext/dist/cli.js', folder: '/w', target: { job: 'train', index: 2 }, runId: 'R', params: { lr: 0.5, tag: '0.1', optimizer: 'sgd' } });
    assert.deepEqual(args, ['/ext/dist/cli.js', 'run', 'train', '--index', '2', '--run-id', 'R', '--json', '--param', 'lr=0.5', '--param', 'tag="0.1"', '--param', 'optimizer="sgd"']);
    assert.deepEqual(localRunArgs({ cliScript: 'cli.js', folder: '/w', target: { script: 'src/train.py' }, runId: 'R', params: {} }), ['cli.js', 'run', '--script', 'src/train.py', '--run-id', 'R', '--json']);
  });

  it('reproduces a plan by its sweep point, passing only what differs from it', () => {
    const swept = job({ sweep: { lr: [0.1, 0.01], optimizer: ['adam', 'sgd'] } });
    /** What `mltrail run JOB --index I --param ...` plans from the spec: it must be the plan itself. */
    const replay = (spec: { index: number; params: Record<string, unknown> }) => planJobRuns(swept, spec.params, spec.index)[0]!;
    const plans = planJobRuns(swept);
    assert.deepEqual(localRunSpec(swept, plans[3]!), { index: 3, params: {} });
    // An edited sweep, with more points than the declared one.
    for (const plan of planJobRuns({ ...swept, sweep: { lr: [0.5, 0.05, 0.005], optimizer: ['adam', 'sgd'] } })) {
      const spec = localRunSpec(swept, plan);
      assert.deepEqual({ params: replay(spec).params, name: replay(spec).name }, { params: plan.params, name: plan.name });
      assert.ok(Object.keys(spec.params).every((name) => name === 'lr' || name === 'optimizer'), 'only swept params are passed');
    }
    // Changed params of a re-run: only the change is passed.
    const rerun = planJobRuns(swept, { optimizer: 'sgd', lr: 0.1 }, 0)[0]!;
    assert.deepEqual(localRunSpec(swept, rerun), { index: 0, params: { optimizer: 'sgd' } });
    assert.deepEqual(replay(localRunSpec(swept, rerun)).params, rerun.params);
  });

  it('runs the job through the CLI in the background: params, job tag and protocol metrics recorded', async () => {
    const folder = tempDir();
    const printer = "const p = JSON.parse(process.env.MLTRAIL_PARAMS); console.log(JSON.stringify({mltrail: 'metric', name: 'loss', step: 1, value: p.lr * 2}))";
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, jobs: { train: { command: [process.execPath, '-e', printer], params: { lr: 0.1, optimizer: 'adam' } } } }));
    const storeDir = path.join(folder, '.mltrail');
    const runId = newRunId();
    const spawned = spawnLocalRun({ cliScript, folder, target: { job: 'train', index: 0 }, runId, params: { lr: 0.25 } });
    assert.equal(spawned.runId, runId);
    const exit = await spawned.exited;
    assert.deepEqual(exit, { code: 0, stderr: '' });
    const run = readRecordedRun(storeDir, runId);
    assert.equal(run?.status, 'finished');
    assert.deepEqual(run?.params, { lr: 0.25, optimizer: 'adam' });
    assert.equal(run?.tags.job, 'train');
    assert.equal(run?.metrics.loss?.last, 0.5);
    assert.match(fs.readFileSync(path.join(runDir(storeDir, runId), 'logs.txt'), 'utf8'), /"name":"loss"/);
  });

  it('reports why the CLI refused a launch: the runner exits, no run recorded, its stderr kept', async () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, jobs: { train: { command: ['true'] } } }));
    const runId = newRunId();
    const exit = await spawnLocalRun({ cliScript, folder, target: { job: 'nope', index: 0 }, runId, params: {} }).exited;
    assert.notEqual(exit.code, 0);
    assert.match(exit.stderr, /no job "nope"/);
    assert.equal(fs.existsSync(runDir(path.join(folder, '.mltrail'), runId)), false);
  });

  it('plans "only the defaults": the declared params, a swept param without one taking its first value', () => {
    const swept = job({ params: { lr: 0.1 }, command: ['python', 'train.py', '--lr', '{lr}', '--seed', '{seed}'], sweep: { lr: [0.5, 0.05], seed: [7, 8] } });
    const plan = defaultsPlan(swept);
    assert.deepEqual([plan.name, plan.index, plan.params, plan.command], ['train', 0, { lr: 0.1, seed: 7 }, ['python', 'train.py', '--lr', '0.1', '--seed', '7']]);
    // The CLI reproduces it from sweep point 0 and the params that differ from it.
    assert.deepEqual(localRunSpec(swept, plan), { index: 0, params: { lr: 0.1 } });
  });

  it('runs a sweep one after another: each point starts once the one before has ended', async () => {
    const folder = tempDir();
    const stamp = "const fs = require('node:fs'); const p = JSON.parse(process.env.MLTRAIL_PARAMS); fs.appendFileSync('order.txt', 'start ' + p.n + '\\n'); setTimeout(() => fs.appendFileSync('order.txt', 'end ' + p.n + '\\n'), 150)";
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, jobs: { steps: { command: [process.execPath, '-e', stamp], sweep: { n: [1, 2, 3] } } } }));
    const started: string[] = [];
    const starts = [0, 1, 2].map((index) => () => {
      const runId = newRunId();
      started.push(runId);
      return spawnLocalRun({ cliScript, folder, target: { job: 'steps', index }, runId, params: {} });
    });
    await startOneAfterAnother(starts);
    assert.equal(fs.readFileSync(path.join(folder, 'order.txt'), 'utf8'), 'start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n');
    assert.deepEqual(started.map((runId) => readRecordedRun(path.join(folder, '.mltrail'), runId)?.status), ['finished', 'finished', 'finished']);
  });

  it('tags an ad-hoc script run with its script, apart from a declared job of the same name', async () => {
    const folder = tempDir();
    fs.mkdirSync(path.join(folder, 'scripts'));
    fs.writeFileSync(path.join(folder, 'scripts', 'train.sh'), 'echo trained\n');
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, jobs: { train: { command: ['true'], resources: { gpus: 4 } } } }));
    const runId = newRunId();
    assert.equal((await spawnLocalRun({ cliScript, folder, target: { script: 'scripts/train.sh' }, runId, params: {} }).exited).code, 0);
    assert.deepEqual(readRecordedRun(path.join(folder, '.mltrail'), runId)?.tags, { job: 'train', script: 'scripts/train.sh' });
  });
});
