import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readRun } from '../../src/runs/runReader.ts';
import { jsonl, tempDir, writeRunFiles } from '../support/tempStore.ts';

describe('readRun', () => {
  const store = tempDir();

  it('reads both files and reports malformed lines with their line numbers', () => {
    const dir = writeRunFiles(store, 'r1', {
      run: jsonl({ type: 'start', experiment: 'e', name: 'n' }, '{"type":"params","values":{"lr":0.1}', { type: 'params', values: { lr: 0.2 } }),
      metrics: jsonl({ name: 'loss', step: 0, value: 1 }, 'not json', { name: 'loss', step: 1, value: 0.5 }, { name: 'loss', step: 2, value: 'big' }),
    });
    const entry = readRun(dir, 'r1');
    assert.ok(entry);
    assert.deepEqual(entry.record.params, { lr: 0.2 });
    assert.deepEqual(entry.metrics.loss, { last: 0.5, step: 1, min: 0.5, max: 1, count: 2 });
    assert.deepEqual(
      entry.problems.map(({ file, line }) => `${file}:${line}`),
      ['run.jsonl:2', 'metrics.jsonl:2', 'metrics.jsonl:4'],
    );
  });

  it('reads only appended lines on a second read and keeps earlier problems', () => {
    const dir = writeRunFiles(store, 'r2', { run: jsonl({ type: 'start' }), metrics: jsonl({ name: 'a', step: 0, value: 1 }, 'oops') });
    const first = readRun(dir, 'r2');
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), jsonl({ name: 'a', step: 1, value: 3 }, { name: 'b', step: 0, value: 7 }));
    fs.appendFileSync(path.join(dir, 'run.jsonl'), jsonl({ type: 'end', status: 'finished' }));
    const second = readRun(dir, 'r2', first);
    assert.deepEqual(second?.metrics, { a: { last: 3, step: 1, min: 1, max: 3, count: 2 }, b: { last: 7, step: 0, min: 7, max: 7, count: 1 } });
    assert.equal(second?.record.endStatus, 'finished');
    assert.deepEqual(second?.problems.map((problem) => problem.line), [2]);
    assert.equal(second?.metricsFile?.lines, 4);
    assert.equal(first?.record.endStatus, undefined, 'the previous entry is not modified');
  });

  it('re-folds the whole file when an appended line rewrites an earlier step', () => {
    const dir = writeRunFiles(store, 'r3', { metrics: jsonl({ name: 'a', step: 0, value: 1 }, { name: 'a', step: 1, value: 100 }, { name: 'b', step: 0, value: 5 }) });
    const first = readRun(dir, 'r3');
    assert.equal(first?.metrics.a?.max, 100);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), jsonl({ name: 'a', step: 1, value: 2 }, { name: 'b', step: 1, value: 4 }));
    const second = readRun(dir, 'r3', first);
    assert.deepEqual(second?.metrics.a, { last: 2, step: 1, min: 1, max: 2, count: 2 });
    assert.deepEqual(second?.metrics.b, { last: 4, step: 1, min: 4, max: 5, count: 2 });
    assert.deepEqual(second?.exactMetrics, ['a']);
    assert.deepEqual(Object.keys(second?.metrics ?? {}), ['a', 'b']);
  });

  it('re-folds a file with many rewritten metrics in a bounded number of passes', () => {
    const lines = [];
    for (let metric = 0; metric < 60; metric++) for (let step = 0; step < 20; step++) lines.push({ name: `m${metric}`, step, value: step });
    // A resumed run: every metric goes back to step 10 and is logged again with other values.
    for (let metric = 0; metric < 60; metric++) for (let step = 10; step < 20; step++) lines.push({ name: `m${metric}`, step, value: 100 + step });
    const dir = writeRunFiles(store, 'resumed', { metrics: jsonl(...lines) });
    const opened: string[] = [];
    const openSync = fs.openSync;
    fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
      opened.push(String(file));
      return (openSync as (...args: unknown[]) => number)(file, ...rest);
    }) as typeof fs.openSync;
    let entry;
    try {
      entry = readRun(dir, 'resumed');
    } finally {
      fs.openSync = openSync;
    }
    assert.ok(opened.filter((file) => file.endsWith('metrics.jsonl')).length <= 3, `${opened.length} opens`);
    assert.equal(entry?.exactMetrics.length, 60);
    assert.deepEqual(entry?.metrics.m59, { last: 119, step: 19, min: 0, max: 119, count: 20 });
  });

  it('ignores a half-written last line until it is complete', () => {
    const dir = writeRunFiles(store, 'r4', { metrics: '{"name":"a","step":0,"value":1}\n{"name":"a","st' });
    const first = readRun(dir, 'r4');
    assert.equal(first?.metrics.a?.count, 1);
    assert.deepEqual(first?.problems, []);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), 'ep":1,"value":2}\n');
    assert.equal(readRun(dir, 'r4', first)?.metrics.a?.last, 2);
  });

  it('is not a run without either file, and reads a run that has only metrics', () => {
    fs.mkdirSync(path.join(store, 'runs', 'empty'), { recursive: true });
    assert.equal(readRun(path.join(store, 'runs', 'empty'), 'empty'), undefined);
    const dir = writeRunFiles(store, 'metrics-only', { metrics: jsonl({ name: 'a', step: 0, value: 1 }) });
    assert.equal(readRun(dir, 'metrics-only')?.metrics.a?.last, 1);
  });

  it('starts over when run.jsonl is replaced, dropping what the old file said', () => {
    const dir = writeRunFiles(store, 'r5', { run: jsonl({ type: 'start', name: 'old' }, { type: 'params', values: { a: 1 } }) });
    const first = readRun(dir, 'r5');
    const temp = path.join(dir, 'run.jsonl.tmp');
    fs.writeFileSync(temp, jsonl({ type: 'start', name: 'new' }));
    fs.renameSync(temp, path.join(dir, 'run.jsonl'));
    const second = readRun(dir, 'r5', first);
    assert.equal(second?.record.name, 'new');
    assert.deepEqual(second?.record.params, {});
  });
});
