import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DvcLiveSource } from '../../../src/sources/dvclive.ts';
import type { SourceLocation } from '../../../src/sources/externalSource.ts';
import { tempDir } from '../../support/tempStore.ts';

const fixture = path.resolve(import.meta.dirname, '../../fixtures/sources/dvclive-repo');

/** A copy of the fixture repository (a DVC repo with a dvclive/ directory), as a workspace folder. */
function copyFixture(): string {
  const folder = path.join(tempDir(), 'repo');
  fs.cpSync(fixture, folder, { recursive: true });
  return folder;
}

function source(folder: string, dir = 'dvclive', origin: SourceLocation['origin'] = 'detected'): DvcLiveSource {
  return new DvcLiveSource({ kind: 'dvclive', path: path.join(folder, dir), origin }, folder);
}

async function loadOne(live: DvcLiveSource) {
  const { runs, problems } = await live.load();
  assert.equal(runs.length, 1);
  return { run: runs[0]!, problems };
}

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('DVCLive directory', () => {
  it('is one run: params.yaml flattened with dots, TSV metrics by path, metrics.json values without a TSV', async () => {
    const { run, problems } = await loadOne(source(copyFixture()));
    assert.deepEqual(problems, []);
    assert.equal(run.id, 'dvclive:dvclive');
    assert.equal(run.name, 'dvclive');
    assert.equal(run.experiment, 'dvclive');
    assert.equal(run.source, 'dvclive');
    assert.equal(run.status, 'finished');
    assert.deepEqual(Object.entries(run.params), [
      ['__proto__', 'oops'],
      ['epochs', 10],
      ['model.dropout', null],
      ['model.layers', [64, 32]],
      ['model.name', 'resnet18'],
      ['train.lr', 0.001],
      ['train.optimizer', 'adam'],
    ]);
    assert.equal(Object.getPrototypeOf(run.params), Object.prototype);
    assert.deepEqual(Object.keys(run.metrics), ['acc', 'train/loss', 'eval/f1']);
    assert.deepEqual(run.metrics.acc, { last: 0.75, step: 2, min: 0.5, max: 0.75, count: 3, lastTime: 1700000120000 });
    const loss = run.metrics['train/loss'];
    assert.ok(loss && Number.isNaN(loss.last));
    assert.deepEqual({ ...loss, last: 0 }, { last: 0, step: 2, min: 1.2, max: 2.3, count: 3, lastTime: 1700000120000 });
    assert.deepEqual(run.metrics['eval/f1'], { last: 0.8, step: 2, min: 0.8, max: 0.8, count: 1 });
    assert.equal(run.startTime, 1700000000000);
    assert.equal(run.endTime, 1700000120000);
  });

  it('reads TSVs written on Windows (CRLF) and without timestamps; a rewritten step keeps the line written last', async () => {
    const folder = copyFixture();
    const plots = path.join(folder, 'dvclive', 'plots', 'metrics');
    fs.rmSync(path.join(plots, 'train'), { recursive: true });
    fs.writeFileSync(path.join(plots, 'acc.tsv'), 'step\tacc\r\n0\t0.5\r\n1\t0.625\r\n1\t0.6\r\n2\tinf\r\n');
    const mtime = new Date('2026-01-02T03:04:05Z');
    for (const file of ['acc.tsv']) fs.utimesSync(path.join(plots, file), mtime, mtime);
    for (const file of ['params.yaml', 'metrics.json']) fs.utimesSync(path.join(folder, 'dvclive', file), new Date('2026-01-02T03:00:00Z'), new Date('2026-01-02T03:00:00Z'));
    const live = source(folder);
    const { run, problems } = await loadOne(live);
    assert.deepEqual(problems, []);
    assert.deepEqual(run.metrics.acc, { last: Infinity, step: 2, min: 0.5, max: Infinity, count: 3 });
    assert.equal(run.startTime, Date.parse('2026-01-02T03:00:00Z'));
    assert.equal(run.endTime, mtime.getTime());
    const series = await live.readSeries('dvclive:dvclive', 'acc');
    assert.deepEqual(Array.from(series?.steps ?? []), [0, 1, 2]);
    assert.deepEqual(Array.from(series?.values ?? []), [0.5, 0.6, Infinity]);
    assert.ok(Array.from(series?.times ?? []).every(Number.isNaN));
  });

  it('is running while the process DVCLive signals to VS Code is alive', async () => {
    const folder = copyFixture();
    const signal = path.join(folder, '.dvc', 'tmp', 'exps', 'run', 'DVCLIVE_ONLY');
    fs.mkdirSync(path.dirname(signal), { recursive: true });
    fs.writeFileSync(signal, JSON.stringify({ pid: process.pid, exp_name: 'bold-fox' }));
    const running = (await loadOne(source(folder))).run;
    assert.equal(running.status, 'running');
    assert.equal(running.endTime, undefined);
    fs.writeFileSync(signal, JSON.stringify({ pid: deadPid(), exp_name: 'bold-fox' }));
    assert.equal((await loadOne(source(folder))).run.status, 'finished');
  });

  it('names a configured directory by its path, and reads it anywhere in the folder', async () => {
    const folder = copyFixture();
    fs.mkdirSync(path.join(folder, 'results'));
    fs.renameSync(path.join(folder, 'dvclive'), path.join(folder, 'results', 'live'));
    const { run } = await loadOne(source(folder, path.join('results', 'live'), 'configured'));
    assert.equal(run.id, 'dvclive:results/live');
    assert.equal(run.name, 'results/live');
    assert.equal(run.experiment, 'results/live');
  });

  it('reports malformed rows, a bad header, broken params.yaml and metrics.json, and reads the rest', async () => {
    const folder = copyFixture();
    const dir = path.join(folder, 'dvclive');
    fs.appendFileSync(path.join(dir, 'plots', 'metrics', 'acc.tsv'), '1700000180000\tthree\t0.8\n1700000240000\t4\n1700000300000\t5\t0.9\n');
    fs.writeFileSync(path.join(dir, 'plots', 'metrics', 'broken.tsv'), 'value\n1\n');
    fs.writeFileSync(path.join(dir, 'params.yaml'), 'epochs: 10\nscript: |\n  run\n');
    fs.writeFileSync(path.join(dir, 'metrics.json'), '{"acc": ');
    const { run, problems } = await loadOne(source(folder));
    assert.deepEqual(run.metrics.acc, { last: 0.9, step: 5, min: 0.5, max: 0.9, count: 4, lastTime: 1700000300000 });
    assert.equal(run.metrics.broken, undefined);
    assert.deepEqual(Object.entries(run.params), [['epochs', 10]]);
    const described = problems.map((problem) => `${path.relative(dir, problem.path)}:${problem.line ?? ''}: ${problem.message}`);
    assert.deepEqual(described, [
      `${path.join('plots', 'metrics', 'acc.tsv')}:5: the step is not an integer (line skipped)`,
      `${path.join('plots', 'metrics', 'acc.tsv')}:6: expected 3 tab-separated fields, found 2 (line skipped)`,
      `${path.join('plots', 'metrics', 'broken.tsv')}:1: expected a header "[timestamp]<tab>step<tab><metric>"; file skipped`,
      described[3] as string,
      'params.yaml:2: block scalars (| and >) are not supported; entry skipped',
    ]);
    assert.match(described[3] as string, /^metrics\.json:: cannot read: .*JSON/);
  });

  it('reads a series from its TSV, or one point from metrics.json, and nothing for other ids or names', async () => {
    const live = source(copyFixture());
    const loss = await live.readSeries('dvclive:dvclive', 'train/loss');
    assert.deepEqual(Array.from(loss?.steps ?? []), [0, 1, 2]);
    assert.deepEqual(Array.from(loss?.values ?? []), [2.3, 1.2, Number.NaN]);
    assert.deepEqual(Array.from(loss?.times ?? []), [1700000000000, 1700000060000, 1700000120000]);
    const f1 = await live.readSeries('dvclive:dvclive', 'eval/f1');
    assert.deepEqual([Array.from(f1?.steps ?? []), Array.from(f1?.values ?? [])], [[2], [0.8]]);
    assert.equal(await live.readSeries('dvclive:dvclive', 'nope'), undefined);
    assert.equal(await live.readSeries('dvclive:dvclive', '../params'), undefined);
    assert.equal(await live.readSeries('dvclive:other', 'acc'), undefined);
  });

  it('reports a directory that does not exist', async () => {
    const { runs, problems } = await source(tempDir(), 'gone').load();
    assert.deepEqual(runs, []);
    assert.match(problems[0]?.message ?? '', /does not exist/);
  });
});
