import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createStarterConfig, loadWorkspaceConfig } from '../../src/store/config.ts';
import { tempDir } from '../support/tempStore.ts';

describe('mltrail.json', () => {
  it('defaults to .mltrail when there is no file', () => {
    const folder = tempDir();
    const config = loadWorkspaceConfig(folder);
    assert.equal(config.hasConfigFile, false);
    assert.equal(config.storeDir, path.join(folder, '.mltrail'));
    assert.deepEqual(config.problems, []);
  });

  it('reads store and keyMetric and keeps unknown keys', () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, store: 'tracking/store', keyMetric: 'val/acc', custom: { keep: true } }));
    const config = loadWorkspaceConfig(folder);
    assert.equal(config.storeDir, path.join(folder, 'tracking', 'store'));
    assert.equal(config.keyMetric, 'val/acc');
    assert.deepEqual(config.raw.custom, { keep: true });
  });

  it('reports invalid JSON at its line and falls back to the default store', () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'mltrail.json'), '{\n  "version": 1,\n  "store": ".x"\n  "keyMetric": "a"\n}\n');
    const config = loadWorkspaceConfig(folder);
    assert.equal(config.storeDir, path.join(folder, '.mltrail'));
    assert.equal(config.problems.length, 1);
    assert.equal(config.problems[0]?.line, 4);
    assert.match(config.problems[0]?.message ?? '', /not valid JSON/);
  });

  it('reports wrong types and newer versions at the key', () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'mltrail.json'), '{\n  "version": 2,\n  "store": 7,\n  "keyMetric": ""\n}\n');
    const config = loadWorkspaceConfig(folder);
    assert.deepEqual(config.problems.map((problem) => problem.line), [2, 3, 4]);
    assert.equal(config.storeDir, path.join(folder, '.mltrail'));
  });

  it('reads other trackers\' sources, paths relative to the folder', () => {
    const folder = tempDir();
    fs.writeFileSync(
      path.join(folder, 'mltrail.json'),
      JSON.stringify({ version: 1, sources: [{ type: 'mlflow', path: 'tracking/mlflow.db' }, { type: 'dvclive', path: '/abs/live' }, { type: 'mlflow', path: 'mlruns' }] }),
    );
    const config = loadWorkspaceConfig(folder);
    assert.deepEqual(config.problems, []);
    assert.deepEqual(config.sources, [
      { type: 'mlflow', path: path.join(folder, 'tracking', 'mlflow.db') },
      { type: 'dvclive', path: path.resolve('/abs/live') },
      { type: 'mlflow', path: path.join(folder, 'mlruns') },
    ]);
    assert.deepEqual(loadWorkspaceConfig(tempDir()).sources, []);
  });

  it('reports sources that are not valid at the "sources" key and keeps the valid ones', () => {
    const folder = tempDir();
    const text = [
      '{',
      '  "version": 1,',
      '  "sources": [',
      '    {"type": "wandb", "path": "wandb"},',
      '    {"type": "mlflow"},',
      '    "mlruns",',
      '    {"type": "dvclive", "path": "live"}',
      '  ]',
      '}',
    ].join('\n');
    fs.writeFileSync(path.join(folder, 'mltrail.json'), text);
    const config = loadWorkspaceConfig(folder);
    assert.deepEqual(config.sources, [{ type: 'dvclive', path: path.join(folder, 'live') }]);
    assert.deepEqual(
      config.problems.map((problem) => [problem.line, problem.message]),
      [
        [3, '"sources"[0].type must be "mlflow" or "dvclive"; entry ignored'],
        [3, '"sources"[1].path must be a non-empty path; entry ignored'],
        [3, '"sources"[2] must be an object {"type": ..., "path": ...}; entry ignored'],
      ],
    );
    fs.writeFileSync(path.join(folder, 'mltrail.json'), '{\n  "sources": {"type": "mlflow"}\n}');
    const notAList = loadWorkspaceConfig(folder);
    assert.deepEqual(notAList.sources, []);
    assert.deepEqual(notAList.problems.map((problem) => problem.line), [2]);
    assert.match(notAList.problems[0]?.message ?? '', /must be a list/);
  });

  it('creates a starter file and the store, and never overwrites', () => {
    const folder = tempDir();
    const file = createStarterConfig(folder);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { version: 1, store: '.mltrail', datasets: {}, models: {}, jobs: {} });
    assert.ok(fs.statSync(path.join(folder, '.mltrail', 'runs')).isDirectory());
    assert.throws(() => createStarterConfig(folder), /already exists/);
  });
});
