import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModelFold, isValidModelName } from '../../../src/models/modelRecords.ts';
import { listRecordedModels, modelFile, readModel } from '../../../src/models/modelStore.ts';
import { jsonl, tempDir } from '../../support/tempStore.ts';

const at = '2026-03-01T10:00:00Z';
const version = (number: number, extra: object = {}) => ({ type: 'version', version: number, run: `run-${number}`, path: 'out/model.pt', hash: `xxh64:${number}`, size: 10, metrics: { 'val/acc': number / 10 }, time: at, user: 'ana', ...extra });
const stage = (number: number, name: string, extra: object = {}) => ({ type: 'stage', version: number, stage: name, time: at, user: 'ben', forced: false, ...extra });

function fold(...records: unknown[]) {
  const modelFold = new ModelFold('classifier');
  records.forEach((record, index) => modelFold.add(typeof record === 'string' ? record : JSON.stringify(record), index + 1));
  return modelFold.finish();
}

describe('ModelFold', () => {
  it('folds versions, their current stage and the audit trail in order', () => {
    const state = fold(
      version(1, { metrics: { 'val/acc': 0.8, 'val/loss': 'NaN' }, datasets: [{ dataset: 'images', version: 3 }], git: { commit: 'abc', dirty: true } }),
      version(2),
      stage(1, 'production'),
      stage(1, 'archived', { reason: 'replaced by version 2', replacedBy: 2 }),
      stage(2, 'production', { reason: 'better', forced: true }),
    );
    assert.deepEqual(state.versions.map((known) => [known.version, known.stage]), [[1, 'archived'], [2, 'production']]);
    assert.equal(state.production, 2);
    assert.equal(state.rollbackTarget, 1);
    const first = state.versions[0]!;
    assert.equal(first.metrics['val/acc'], 0.8);
    assert.ok(Number.isNaN(first.metrics['val/loss']));
    assert.deepEqual(first.datasets, [{ dataset: 'images', version: 3 }]);
    assert.deepEqual(first.git, { commit: 'abc', dirty: true });
    assert.equal(first.time, Date.parse(at));
    assert.deepEqual(state.history.map((change) => [change.version, change.from, change.stage, change.forced, change.reason ?? null]), [
      [1, 'none', 'production', false, null],
      [1, 'production', 'archived', false, 'replaced by version 2'],
      [2, 'none', 'production', true, 'better'],
    ]);
    assert.deepEqual(state.problems, []);
  });

  it('skips malformed lines and reports each with its line, keeping the rest', () => {
    const state = fold(
      version(1),
      '{not json',
      { type: 'version', version: 0, run: 'r', path: 'p', hash: 'h', size: 1, time: at },
      version(1),
      stage(7, 'production'),
      stage(1, 'shipped'),
      { version: 2 },
      version(2, { metrics: { acc: 'high' } }),
      { type: 'future-record', anything: true },
      stage(1, 'staging', { time: 'yesterday' }),
      stage(1, 'staging'),
    );
    assert.deepEqual(state.versions.map((known) => [known.version, known.stage]), [[1, 'staging']]);
    assert.deepEqual(state.problems.map((problem) => problem.line), [2, 3, 4, 5, 6, 7, 8, 10]);
    assert.match(state.problems[0]!.message, /not valid JSON/);
    assert.match(state.problems[2]!.message, /version 1 is registered twice/);
    assert.match(state.problems[3]!.message, /version 7 is not registered/);
    assert.match(state.problems[4]!.message, /"stage" must be one of/);
  });

  it('keeps one version in production even when a writer skipped the archive record', () => {
    const state = fold(version(1), version(2), stage(1, 'production'), stage(2, 'production'));
    assert.deepEqual(state.versions.map((known) => known.stage), ['archived', 'production']);
    assert.equal(state.production, 2);
    assert.equal(state.rollbackTarget, undefined, 'only a recorded replacement is a rollback target');
  });

  it('does not offer a version pulled from production by hand as the rollback target', () => {
    const state = fold(
      version(1),
      version(2),
      stage(1, 'production'),
      stage(1, 'archived', { replacedBy: 2 }),
      stage(2, 'production'),
      stage(2, 'archived', { reason: 'broken' }),
    );
    assert.equal(state.production, undefined);
    assert.equal(state.rollbackTarget, 1);
  });

  it('moves aliases between versions and removes them', () => {
    const state = fold(
      version(1),
      version(2),
      { type: 'alias', alias: 'champion', version: 1, time: at, user: 'ana' },
      { type: 'alias', alias: 'candidate', version: 2, time: at, user: 'ana' },
      { type: 'alias', alias: 'champion', version: 2, time: at, user: 'ana' },
      { type: 'alias', alias: '__proto__', version: 1, time: at, user: 'ana' },
      { type: 'alias', alias: 'candidate', version: null, time: at, user: 'ana' },
    );
    assert.deepEqual(state.versions.map((known) => known.aliases), [['__proto__'], ['champion']]);
    assert.deepEqual(Object.keys(state.aliases), ['champion', '__proto__']);
  });
});

describe('model names', () => {
  it('accepts file-name-safe names only', () => {
    for (const name of ['classifier', 'bert-base_v2.1']) assert.equal(isValidModelName(name), true, name);
    for (const name of ['', '.', '..', 'a/b', '../x', 'with space']) assert.equal(isValidModelName(name), false, name);
  });
});

describe('readModel', () => {
  it('reads a records file tolerantly: BOM, CRLF, blank lines, an unfinished last line', () => {
    const store = tempDir();
    const file = modelFile(store, 'classifier');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '\uFEFF' + jsonl(version(1)).replace('\n', '\r\n') + '\n' + jsonl('oops', version(2)) + JSON.stringify(stage(2, 'staging')));
    const state = readModel(store, 'classifier');
    assert.deepEqual(state.versions.map((known) => [known.version, known.stage]), [[1, 'none'], [2, 'none']]);
    assert.deepEqual(state.problems.map((problem) => problem.line), [3]);
  });

  it('has no versions for a model without records, and lists the recorded models', () => {
    const store = tempDir();
    assert.deepEqual(readModel(store, 'nothing').versions, []);
    assert.deepEqual(listRecordedModels(store), []);
    fs.mkdirSync(path.join(store, 'models'));
    for (const file of ['b.jsonl', 'a.jsonl', 'a.jsonl.lock', 'notes.txt']) fs.writeFileSync(path.join(store, 'models', file), '');
    assert.deepEqual(listRecordedModels(store), ['a', 'b']);
  });

  it('reports a records file that cannot be read as a problem instead of failing', () => {
    const store = tempDir();
    fs.mkdirSync(modelFile(store, 'odd'), { recursive: true });
    const state = readModel(store, 'odd');
    assert.deepEqual(state.versions, []);
    assert.equal(state.problems[0]?.line, 0);
    assert.match(state.problems[0]?.message ?? '', /cannot read this file/);
  });

  it('refuses model names that could leave the store', () => {
    assert.throws(() => modelFile(tempDir(), '../escape'), /Invalid model name/);
  });
});
