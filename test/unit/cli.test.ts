import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
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

describe('mltrail CLI', () => {
  it('prints runs as documented JSON, newest first', async () => {
    const { code, stdout, stderr } = await cli(['runs', '--json'], workspace());
    assert.equal(code, 0);
    const runs = JSON.parse(stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(runs.map((run) => run.id), ['20260102-000000-bbbbbb', '20260101-000000-aaaaaa']);
    assert.deepEqual(runs[1], {
      id: '20260101-000000-aaaaaa',
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
});
