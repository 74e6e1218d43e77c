import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { detectSources } from '../../../src/sources/detectSources.ts';
import { DvcLiveSource } from '../../../src/sources/dvclive.ts';
import { MlflowFileStore } from '../../../src/sources/mlflowFileStore.ts';
import { MlflowSqliteSource } from '../../../src/sources/mlflowSqlite.ts';
import { openSources } from '../../../src/sources/openSources.ts';
import { tempDir } from '../../support/tempStore.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/sources');

/** A workspace folder with an MLflow file store, an mlflow.db and a dvclive/ directory at its root. */
function workspace(): string {
  const folder = tempDir();
  fs.cpSync(path.join(fixtures, 'mlruns'), path.join(folder, 'mlruns'), { recursive: true });
  fs.cpSync(path.join(fixtures, 'dvclive-repo', 'dvclive'), path.join(folder, 'dvclive'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'mlflow.db'), '');
  return folder;
}

describe('detecting other trackers in a workspace folder', () => {
  it('finds mlruns/, mlflow.db and dvclive/ at the root', () => {
    const folder = workspace();
    assert.deepEqual(detectSources(folder), [
      { kind: 'mlflow', path: path.join(folder, 'mlruns'), origin: 'detected' },
      { kind: 'mlflow', path: path.join(folder, 'mlflow.db'), origin: 'detected' },
      { kind: 'dvclive', path: path.join(folder, 'dvclive'), origin: 'detected' },
    ]);
  });

  it('ignores folders that only share the names: mlruns/ without experiments, dvclive/ without DVCLive files', () => {
    const folder = tempDir();
    fs.mkdirSync(path.join(folder, 'mlruns', '.trash', '1'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'mlruns', '.trash', '1', 'meta.yaml'), 'name: gone\n');
    fs.mkdirSync(path.join(folder, 'mlruns', 'models', 'm'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'mlruns', 'models', 'm', 'meta.yaml'), 'name: m\n');
    fs.mkdirSync(path.join(folder, 'dvclive', 'artifacts'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'mlflow.db'));
    assert.deepEqual(detectSources(folder), []);
    fs.mkdirSync(path.join(folder, 'dvclive', 'plots', 'metrics'), { recursive: true });
    assert.deepEqual(detectSources(folder).map((location) => location.kind), ['dvclive']);
  });

  it('puts configured sources first, resolved against the folder, found or not, once per path', () => {
    const folder = workspace();
    const sources = detectSources(folder, [
      { type: 'dvclive', path: path.join(folder, 'dvclive') },
      { type: 'mlflow', path: path.join(folder, 'elsewhere', 'tracking.db') },
      { type: 'mlflow', path: path.join(folder, 'mlruns') },
    ]);
    assert.deepEqual(sources, [
      { kind: 'dvclive', path: path.join(folder, 'dvclive'), origin: 'configured' },
      { kind: 'mlflow', path: path.join(folder, 'elsewhere', 'tracking.db'), origin: 'configured' },
      { kind: 'mlflow', path: path.join(folder, 'mlruns'), origin: 'configured' },
      { kind: 'mlflow', path: path.join(folder, 'mlflow.db'), origin: 'detected' },
    ]);
  });

  it('opens each location with its reader: a file or a *.db path as SQLite, a folder as a file store', () => {
    const folder = workspace();
    const sources = openSources(folder, { sources: [{ type: 'mlflow', path: path.join(folder, 'not-yet.db') }, { type: 'mlflow', path: path.join(folder, 'not-yet') }] });
    assert.deepEqual(
      sources.map((source) => [source.constructor, path.basename(source.location.path)]),
      [
        [MlflowSqliteSource, 'not-yet.db'],
        [MlflowFileStore, 'not-yet'],
        [MlflowFileStore, 'mlruns'],
        [MlflowSqliteSource, 'mlflow.db'],
        [DvcLiveSource, 'dvclive'],
      ],
    );
  });

  it('lists every run of every source of the folder', async () => {
    const folder = workspace();
    fs.rmSync(path.join(folder, 'mlflow.db'));
    const snapshots = await Promise.all(openSources(folder, { sources: [] }).map((source) => source.load()));
    assert.deepEqual(snapshots.flatMap((snapshot) => snapshot.runs.map((run) => run.id)).sort(), [
      'dvclive:dvclive',
      'mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90',
      'mlflow:c0ffee00c0ffee00c0ffee00c0ffee00',
      'mlflow:d15ea5ed00000000000000000000beef',
    ]);
  });
});
