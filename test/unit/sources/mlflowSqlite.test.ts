import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { SourceLocation } from '../../../src/sources/externalSource.ts';
import { MlflowSqliteSource } from '../../../src/sources/mlflowSqlite.ts';
import { type MlflowRunSpec, createMlflowDatabase, insertExperiment, insertRun } from '../../fixtures/sources/mlflowWriters.ts';
import { tempDir } from '../../support/tempStore.ts';

const workerScript = new URL('../../../src/sources/sourcesWorker.ts', import.meta.url);

const RUN_A: MlflowRunSpec = {
  uuid: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  experimentId: '1',
  name: 'bold-fox-42',
  status: 'FINISHED',
  startTime: 1700000000000,
  endTime: 1700000360000,
  params: { lr: '0.01', __proto__: 'not a prototype', 'optimizer/name': 'adam' },
  tags: { 'mlflow.runName': 'bold-fox-42', 'mlflow.source.git.commit': '3f2a9c1e', 'mlflow.source.git.branch': 'main' },
  metrics: {
    // step 1 twice: 2.0 at an earlier timestamp loses to 0.7 for the last value
    loss: [[1700000001000, 0.9, 0], [1700000002000, 0.7, 1], [1700000001500, 2.0, 1], [1700000003000, 0.6, 2], [1700000004000, 0.5, 3], [1700000003500, 0.55, 2]],
    'val/acc': [[1700000001000, 0.5, 0], [1700000002000, 0.75, 1]],
    nan_metric: [[1700000001000, Number.NaN, 0], [1700000002000, Number.NaN, 1]],
    grad_norm: [[1700000001000, Infinity, 0], [1700000002000, -Infinity, 1], [1700000003000, 3.5, 2]],
  },
};

function spec(overrides: Partial<MlflowRunSpec> & Pick<MlflowRunSpec, 'uuid'>): MlflowRunSpec {
  return { experimentId: '0', name: '', status: 'FINISHED', startTime: 1700000000000, params: {}, tags: {}, metrics: {}, ...overrides };
}

// The params object literal above would set a prototype; MLflow's own rows have a plain "__proto__" key.
Object.defineProperty(RUN_A.params, '__proto__', { value: 'not a prototype', enumerable: true, writable: true, configurable: true });

async function fixtureDatabase(): Promise<string> {
  const file = path.join(tempDir(), 'mlflow.db');
  const database = await createMlflowDatabase(file);
  for (const experiment of [{ id: '0', name: 'Default' }, { id: '1', name: 'image classification' }, { id: '2', name: 'abandoned', deleted: true }]) insertExperiment(database, experiment);
  insertRun(database, RUN_A);
  insertRun(database, spec({ uuid: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf', experimentId: '1', name: 'deleted-run', deleted: true }));
  insertRun(database, spec({ uuid: 'c0ffee00c0ffee00c0ffee00c0ffee00', experimentId: '1', status: 'RUNNING', tags: { 'mlflow.runName': 'from-tag' }, metrics: { loss: [[1700000701000, 0.25, 0]] } }));
  insertRun(database, spec({ uuid: 'd15ea5ed00000000000000000000beef', name: 'killed', status: 'KILLED', endTime: 1700000100000 }));
  insertRun(database, spec({ uuid: 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0', experimentId: '2', name: 'in-deleted-experiment' }));
  insertRun(database, spec({ uuid: 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0', name: 'scheduled', status: 'SCHEDULED', metrics: { acc: [[1, 0.1, 0], [2, 0.3, 5]] } }));
  // A database migrated from a file store may lack latest_metrics rows: the last value then comes from metrics.
  database.prepare("DELETE FROM latest_metrics WHERE run_uuid = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0'").run();
  database.close();
  return file;
}

function location(file: string): SourceLocation {
  return { kind: 'mlflow', path: file, origin: 'detected' };
}

describe('MLflow SQLite database', () => {
  it('lists the runs that are not deleted, in experiments that are not, with their fields', async () => {
    const { runs, problems } = await new MlflowSqliteSource(location(await fixtureDatabase())).load();
    assert.deepEqual(problems, []);
    const byName = new Map(runs.map((run) => [run.name, run]));
    assert.deepEqual([...byName.keys()].sort(), ['bold-fox-42', 'from-tag', 'killed', 'scheduled']);
    const run = byName.get('bold-fox-42');
    assert.equal(run?.id, 'mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90');
    assert.equal(run?.source, 'mlflow');
    assert.equal(run?.experiment, 'image classification');
    assert.equal(run?.status, 'finished');
    assert.equal(run?.startTime, 1700000000000);
    assert.equal(run?.endTime, 1700000360000);
    assert.deepEqual(Object.entries(run?.params ?? {}), [['__proto__', 'not a prototype'], ['lr', '0.01'], ['optimizer/name', 'adam']]);
    assert.equal(Object.getPrototypeOf(run?.params), Object.prototype);
    assert.deepEqual(run?.git, { commit: '3f2a9c1e', branch: 'main' });
    assert.deepEqual(
      ['running', 'killed', 'running'],
      [byName.get('from-tag')?.status, byName.get('killed')?.status, byName.get('scheduled')?.status],
    );
    assert.equal(byName.get('from-tag')?.endTime, undefined);
  });

  it('summarizes metrics in SQL: min and max without NaN rows, distinct steps, the last value as MLflow keeps it', async () => {
    const { runs } = await new MlflowSqliteSource(location(await fixtureDatabase())).load();
    const metrics = runs.find((run) => run.name === 'bold-fox-42')?.metrics ?? {};
    assert.deepEqual(Object.keys(metrics), ['grad_norm', 'loss', 'nan_metric', 'val/acc']);
    assert.deepEqual(metrics.loss, { last: 0.5, step: 3, min: 0.5, max: 2.0, count: 4, lastTime: 1700000004000 });
    assert.deepEqual(metrics['val/acc'], { last: 0.75, step: 1, min: 0.5, max: 0.75, count: 2, lastTime: 1700000002000 });
    assert.deepEqual(metrics.grad_norm, { last: 3.5, step: 2, min: -Infinity, max: Infinity, count: 3, lastTime: 1700000003000 });
    const nan = metrics.nan_metric;
    assert.ok(nan && Number.isNaN(nan.last) && Number.isNaN(nan.min) && Number.isNaN(nan.max) && nan.count === 2);
    assert.deepEqual(runs.find((run) => run.name === 'scheduled')?.metrics.acc, { last: 0.3, step: 5, min: 0.1, max: 0.3, count: 2, lastTime: 2 });
  });

  it('reads in worker threads, a share of the runs each, with the same result', async () => {
    const file = await fixtureDatabase();
    const inline = await new MlflowSqliteSource(location(file)).load();
    const threaded = await new MlflowSqliteSource(location(file), { workerScript, maxWorkers: 3 }).load();
    assert.deepEqual(threaded, inline);
  });

  it('reads one metric as a series, one point per step (the greatest timestamp wins), sorted by step', async () => {
    const source = new MlflowSqliteSource(location(await fixtureDatabase()));
    const series = await source.readSeries('mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90', 'loss');
    assert.deepEqual(Array.from(series?.steps ?? []), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(series?.values ?? []), [0.9, 0.7, 0.55, 0.5]);
    assert.deepEqual(Array.from(series?.times ?? []), [1700000001000, 1700000002000, 1700000003500, 1700000004000]);
    const infinite = await source.readSeries('mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90', 'grad_norm');
    assert.deepEqual(Array.from(infinite?.values ?? []), [Infinity, -Infinity, 3.5]);
    assert.equal(await source.readSeries('mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90', 'missing'), undefined);
    assert.equal(await source.readSeries('dvclive:x', 'loss'), undefined);
  });

  it('reports a locked database, a corrupt one and a missing one instead of failing', async () => {
    const file = await fixtureDatabase();
    const { DatabaseSync } = await import('node:sqlite');
    const writer = new DatabaseSync(file);
    writer.exec('BEGIN EXCLUSIVE');
    try {
      const locked = await new MlflowSqliteSource(location(file)).load();
      assert.deepEqual(locked.runs, []);
      assert.match(locked.problems[0]?.message ?? '', /cannot read this MLflow database: .*locked/);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    const corrupt = path.join(tempDir(), 'mlflow.db');
    fs.writeFileSync(corrupt, 'this is not a database, just text long enough to have a header of sorts'.repeat(100));
    const broken = await new MlflowSqliteSource(location(corrupt)).load();
    assert.equal(broken.problems[0]?.path, corrupt);
    assert.match(broken.problems[0]?.message ?? '', /not a database/);
    const missing = await new MlflowSqliteSource(location(path.join(tempDir(), 'mlflow.db'))).load();
    assert.match(missing.problems[0]?.message ?? '', /does not exist/);
  });

  it('says clearly that runs are not shown when this Node has no node:sqlite', async () => {
    const file = await fixtureDatabase();
    const getBuiltinModule = process.getBuiltinModule;
    process.getBuiltinModule = ((id: string) => (id === 'node:sqlite' ? undefined : getBuiltinModule(id))) as typeof process.getBuiltinModule;
    try {
      const { runs, problems } = await new MlflowSqliteSource(location(file)).load();
      assert.deepEqual(runs, []);
      assert.deepEqual(problems, [{ path: file, message: `this Node ${process.versions.node} cannot open SQLite databases (node:sqlite is missing); MLflow runs in ${file} are not shown` }]);
    } finally {
      process.getBuiltinModule = getBuiltinModule;
    }
  });

  it('keeps the ExperimentalWarning some Node versions print for node:sqlite quiet, and no other', async () => {
    const file = await fixtureDatabase();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const getBuiltinModule = process.getBuiltinModule;
    process.getBuiltinModule = ((id: string) => {
      if (id === 'node:sqlite') {
        process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
        process.emitWarning('something else', 'ExperimentalWarning');
      }
      return getBuiltinModule(id);
    }) as typeof process.getBuiltinModule;
    try {
      assert.equal((await new MlflowSqliteSource(location(file)).load()).runs.length, 4);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, ['something else']);
    } finally {
      process.getBuiltinModule = getBuiltinModule;
      process.off('warning', onWarning);
    }
  });
});
