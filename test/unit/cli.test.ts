import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { GENERATED_EXPERIMENTS, generateMlflowRuns, writeFileStoreExperiment, writeFileStoreRun } from '../fixtures/sources/mlflowWriters.ts';
import { jsonl, tempDir, writeRunFiles } from '../support/tempStore.ts';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

function workspace(): string {
  const folder = tempDir();
  const store = path.join(folder, '.mltrail');
  writeRunFiles(store, '20260101-000000-aaaaaa', {
    run: jsonl({ type: 'start', experiment: 'base', name: 'first', time: '2026-01-01T00:00:00Z' }, { type: 'params', values: { lr: 0.1 } }, { type: 'end', status: 'finished', exitCode: 0, time: '2026-01-01T01:00:00Z' }),
    metrics: jsonl({ name: 'loss', step: 0, value: 1 }, { name: 'loss', step: 1, value: 'NaN' }, { name: 'acc', step: 0, value: 0.5 }),
  });
  writeRunFiles(store, '20260102-000000-bbbbbb', {
    run: jsonl({ type: 'start', experiment: 'other', name: '<b>second</b>', time: '2026-01-02T00:00:00Z' }, '{broken', { type: 'end', status: 'failed', exitCode: 3 }),
  });
  return folder;
}

const sourceFixtures = path.resolve(import.meta.dirname, '../fixtures/sources');

/** The store of `workspace()`, with an MLflow file store and a DVCLive directory beside it. */
function workspaceWithSources(): string {
  const folder = workspace();
  fs.cpSync(path.join(sourceFixtures, 'mlruns'), path.join(folder, 'mlruns'), { recursive: true });
  fs.cpSync(path.join(sourceFixtures, 'dvclive-repo', 'dvclive'), path.join(folder, 'dvclive'), { recursive: true });
  return folder;
}

type JsonRun = { id: string; source: string; name: string; status: string; experiment: string } & Record<string, unknown>;

describe('mltrail CLI', () => {
  it('prints runs as documented JSON, newest first', async () => {
    const { code, stdout, stderr } = await cli(['runs', '--json'], workspace());
    assert.equal(code, 0);
    const runs = JSON.parse(stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(runs.map((run) => run.id), ['20260102-000000-bbbbbb', '20260101-000000-aaaaaa']);
    assert.deepEqual(runs[1], {
      id: '20260101-000000-aaaaaa',
      source: 'mltrail',
      experiment: 'base',
      name: 'first',
      status: 'finished',
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: '2026-01-01T01:00:00.000Z',
      exitCode: 0,
      command: null,
      host: null,
      pid: null,
      git: null,
      params: { lr: 0.1 },
      tags: {},
      metrics: { loss: null, acc: 0.5 },
      metricSummaries: { loss: { last: 'NaN', step: 1, min: 1, max: 1, count: 2 }, acc: { last: 0.5, step: 0, min: 0.5, max: 0.5, count: 1 } },
    });
    assert.match(stderr, /bbbbbb[/\\]run\.jsonl:2: not valid JSON .*\(line skipped\)/);
  });

  it('filters by experiment and status', async () => {
    const folder = workspace();
    const byExperiment = JSON.parse((await cli(['runs', '--json', '--experiment', 'base'], folder)).stdout) as unknown[];
    const byStatus = JSON.parse((await cli(['runs', '--json', '--status', 'failed,lost'], folder)).stdout) as Array<{ name: string }>;
    assert.equal(byExperiment.length, 1);
    assert.deepEqual(byStatus.map((run) => run.name), ['<b>second</b>']);
  });

  it('prints a table for people', async () => {
    const { stdout } = await cli(['runs'], workspace());
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+EXPERIMENT\s+NAME\s+STATUS\s+STARTED\s+KEY METRIC\s+PARAMS$/);
    assert.match(lines[2] ?? '', /aaaaaa\s+base\s+first\s+finished .*loss=NaN\s+lr=0\.1$/);
  });

  it('follows mltrail.json to its store, and --store overrides it', async () => {
    const folder = workspace();
    fs.renameSync(path.join(folder, '.mltrail'), path.join(folder, 'elsewhere'));
    assert.equal((await cli(['runs'], folder)).code, 1);
    fs.writeFileSync(path.join(folder, 'mltrail.json'), '{"version":1,"store":"elsewhere"}');
    assert.equal(JSON.parse((await cli(['runs', '--json'], folder)).stdout).length, 2);
    writeRunFiles(path.join(folder, 'other'), 'only-one', { run: jsonl({ type: 'start' }) });
    assert.deepEqual((JSON.parse((await cli(['runs', '--json', '--store', 'other'], folder)).stdout) as Array<{ id: string }>).map((run) => run.id), ['only-one']);
  });

  it('fails on a missing store with one line and exit code 1', async () => {
    const { code, stdout, stderr } = await cli(['runs', '--store', 'nowhere'], tempDir());
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^mltrail: no MLTrail store at .*nowhere .*\n$/);
  });

  for (const args of [['runs', '--status', 'sleeping'], ['runs', '--frobnicate'], ['runs', 'extra'], ['explode'], []]) {
    it(`exits 2 with one line on wrong usage: ${args.join(' ') || '(nothing)'}`, async () => {
      const { code, stderr, stdout } = await cli(args, workspace());
      assert.equal(code, 2);
      if (args.length > 0) assert.match(stderr, /^mltrail: [^\n]+\n$/);
      else assert.match(stdout, /Usage: mltrail <command>/);
    });
  }

  it('lists every command in --help', async () => {
    const { code, stdout } = await cli(['--help'], tempDir());
    assert.equal(code, 0);
    assert.match(stdout, /Commands:\n\s+runs\s/);
    assert.match(stdout, /Usage: mltrail runs/);
  });

  it('the bundled dist/cli.js lists a store of 1,200 runs, stat and read in worker threads', () => {
    const bundle = path.resolve(import.meta.dirname, '../../dist/cli.js');
    if (!fs.existsSync(bundle)) spawnSync(process.execPath, ['esbuild.js'], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: 'inherit' });
    const folder = tempDir();
    for (let index = 0; index < 1200; index++) {
      writeRunFiles(path.join(folder, '.mltrail'), `run-${index}`, { run: jsonl({ type: 'start', experiment: 'e' }), metrics: jsonl({ name: 'm', step: 0, value: index }) });
    }
    for (const pass of ['cold', 'warm']) {
      const result = spawnSync(process.execPath, [bundle, 'runs', '--json'], { cwd: folder, encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(result.status, 0, `${pass}: ${result.stderr}`);
      const runs = JSON.parse(result.stdout) as Array<{ id: string; metrics: { m: number } }>;
      assert.equal(runs.length, 1200, pass);
      assert.equal(runs.find((run) => run.id === 'run-777')?.metrics.m, 777, pass);
    }
  });

  it('runs as a process: exit codes, stdout, stderr', () => {
    const folder = workspace();
    const script = path.resolve(import.meta.dirname, '../../src/cli.ts');
    const ok = spawnSync(process.execPath, [script, 'runs', '--json'], { cwd: folder, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as unknown[]).length, 2);
    const usage = spawnSync(process.execPath, [script, 'runs', '--nope'], { cwd: folder, encoding: 'utf8' });
    assert.equal(usage.status, 2);
  });

  describe('with other trackers in the folder', () => {
    it('lists MLflow and DVCLive runs beside the store\'s, each with its source', async () => {
      const { code, stdout, stderr } = await cli(['runs', '--json'], workspaceWithSources());
      assert.equal(code, 0, stderr);
      const runs = JSON.parse(stdout) as JsonRun[];
      assert.deepEqual(runs.map((run) => [run.source, run.id]).sort(), [
        ['dvclive', 'dvclive:dvclive'],
        ['mlflow', 'mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90'],
        ['mlflow', 'mlflow:c0ffee00c0ffee00c0ffee00c0ffee00'],
        ['mlflow', 'mlflow:d15ea5ed00000000000000000000beef'],
        ['mltrail', '20260101-000000-aaaaaa'],
        ['mltrail', '20260102-000000-bbbbbb'],
      ]);
      const mlflow = runs.find((run) => run.name === 'bold-fox-42');
      assert.deepEqual(
        { ...mlflow, params: undefined, tags: undefined, metrics: undefined, metricSummaries: undefined },
        {
          id: 'mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90',
          source: 'mlflow',
          experiment: 'image classification',
          name: 'bold-fox-42',
          status: 'finished',
          startTime: '2023-11-14T22:13:20.000Z',
          endTime: '2023-11-14T22:19:20.000Z',
          exitCode: null,
          command: null,
          host: null,
          pid: null,
          git: { commit: '3f2a9c1e5b7d4f60a8e2c9b1d3f5a7c9e1b3d5f7' },
          params: undefined,
          tags: undefined,
          metrics: undefined,
          metricSummaries: undefined,
        },
      );
      assert.equal((mlflow?.params as Record<string, unknown>)['optimizer/name'], 'adam');
      assert.deepEqual((mlflow?.metricSummaries as Record<string, unknown>).nan_metric, { last: 'NaN', step: 1, min: 'NaN', max: 'NaN', count: 2 });
      assert.equal((mlflow?.metrics as Record<string, unknown>).loss, 0.5);
      assert.match(stderr, /accuracy:2: the timestamp is not an integer \(line skipped\)\n/);
    });

    it('filters by --source, several comma-separated', async () => {
      const folder = workspaceWithSources();
      const sourcesOf = async (value: string) => [...new Set((JSON.parse((await cli(['runs', '--json', '--source', value], folder)).stdout) as JsonRun[]).map((run) => run.source))].sort();
      assert.deepEqual(await sourcesOf('mlflow'), ['mlflow']);
      assert.deepEqual(await sourcesOf('mltrail,dvclive'), ['dvclive', 'mltrail']);
      const wrong = await cli(['runs', '--source', 'wandb'], folder);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /^mltrail: unknown source "wandb" \(expected mltrail, mlflow, dvclive\)\n$/);
    });

    it('adds a SOURCE column to the table when other trackers\' runs are listed', async () => {
      const { stdout } = await cli(['runs', '--status', 'killed,failed'], workspaceWithSources());
      const lines = stdout.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^ID\s+SOURCE\s+EXPERIMENT\s+NAME\s+STATUS\s+STARTED\s+KEY METRIC\s+PARAMS$/);
      assert.match(stdout, /\nmlflow:d15ea5ed00000000000000000000beef\s+mlflow\s+Default\s+1234\s+killed /);
      assert.match(stdout, /\n20260102-000000-bbbbbb\s+mltrail\s+other\s+<b>second<\/b>\s+failed /);
    });

    it('lists other trackers\' runs in a folder without a store, unless the store is asked for', async () => {
      const folder = tempDir();
      fs.cpSync(path.join(sourceFixtures, 'dvclive-repo', 'dvclive'), path.join(folder, 'dvclive'), { recursive: true });
      const listed = await cli(['runs', '--json'], folder);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual((JSON.parse(listed.stdout) as JsonRun[]).map((run) => run.id), ['dvclive:dvclive']);
      assert.equal(listed.stderr, '');
      assert.equal((await cli(['runs', '--source', 'mltrail'], folder)).code, 1);
      assert.equal((await cli(['runs', '--store', '.mltrail'], folder)).code, 1);
    });

    it('reads the sources mltrail.json lists, and reports the entries it cannot use', async () => {
      const folder = workspace();
      fs.cpSync(path.join(sourceFixtures, 'mlruns'), path.join(folder, 'tracking', 'runs'), { recursive: true });
      fs.writeFileSync(path.join(folder, 'mltrail.json'), '{\n  "sources": [{"type": "mlflow", "path": "tracking/runs"}, {"type": "neptune", "path": "x"}]\n}\n');
      const { code, stdout, stderr } = await cli(['runs', '--json', '--source', 'mlflow'], folder);
      assert.equal(code, 0);
      assert.equal((JSON.parse(stdout) as JsonRun[]).length, 3);
      assert.match(stderr, /mltrail\.json:2: "sources"\[1\]\.type must be "mlflow" or "dvclive"; entry ignored\n/);
    });

    it('runs as a process over an MLflow store large enough for worker threads', () => {
      const folder = tempDir();
      const mlruns = path.join(folder, 'mlruns');
      for (const experiment of GENERATED_EXPERIMENTS) writeFileStoreExperiment(mlruns, experiment);
      for (const run of generateMlflowRuns({ runs: 80, metrics: 2, steps: 20 })) writeFileStoreRun(mlruns, run);
      const script = path.resolve(import.meta.dirname, '../../src/cli.ts');
      const result = spawnSync(process.execPath, [script, 'runs', '--json'], { cwd: folder, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const runs = JSON.parse(result.stdout) as JsonRun[];
      assert.equal(runs.length, 80);
      assert.ok(runs.every((run) => run.source === 'mlflow'));
    });
  });
});
