import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readDatasetDeclarations } from '../../../src/datasets/datasetConfig.ts';
import { appendDatasetRecord, datasetRecordsFile } from '../../../src/datasets/datasetRecords.ts';
import { listDatasets } from '../../../src/datasets/listDatasets.ts';
import { snapshotDataset } from '../../../src/datasets/snapshot.ts';
import { loadWorkspaceConfig } from '../../../src/store/config.ts';
import { tempDir } from '../../support/tempStore.ts';
import { writeFiles } from './datasetFixtures.ts';

const CONFIG = `{
  "version": 1,
  "datasets": {
    "train": {"path": "data/train.csv", "description": "the training split"},
    "images": {"path": "data/images"},
    "bad/name": {"path": "x"},
    "nopath": {"description": "where?"},
    "notes": {"path": "notes.txt", "description": 42}
  }
}
`;

describe('dataset declarations', () => {
  it('keeps the valid entries and reports the others at their line', () => {
    const folder = tempDir();
    writeFiles(folder, { 'mltrail.json': CONFIG });
    const { datasets, problems } = readDatasetDeclarations(loadWorkspaceConfig(folder));
    assert.deepEqual(datasets, [
      { name: 'train', path: 'data/train.csv', absolutePath: path.join(folder, 'data', 'train.csv'), description: 'the training split' },
      { name: 'images', path: 'data/images', absolutePath: path.join(folder, 'data', 'images') },
      { name: 'notes', path: 'notes.txt', absolutePath: path.join(folder, 'notes.txt') },
    ]);
    assert.deepEqual(problems, [
      { line: 6, message: '"datasets"."bad/name": a dataset name may hold only letters, digits, ".", "_" and "-"; entry ignored' },
      { line: 7, message: '"datasets"."nopath".path must be a non-empty path to a file or a directory; entry ignored' },
      { line: 8, message: '"datasets"."notes".description must be a string; ignored' },
    ]);
  });

  it('reports a "datasets" that is not an object', () => {
    const folder = tempDir();
    writeFiles(folder, { 'mltrail.json': '{\n  "store": ".mltrail",\n  "datasets": ["train"]\n}\n' });
    assert.deepEqual(readDatasetDeclarations(loadWorkspaceConfig(folder)), { datasets: [], problems: [{ line: 3, message: '"datasets" must map names to {"path": "...", "description": "..."}' }] });
  });
});

describe('listDatasets', () => {
  it('lists declared datasets with versions, recorded-only ones and DVC outputs, telling what changed', async () => {
    const folder = tempDir();
    writeFiles(folder, {
      'mltrail.json': CONFIG,
      'data/train.csv': 'a\n1\n',
      'data/images/1.png': 'one',
      'data/images.dvc': 'outs:\n- md5: 3a1f.dir\n  size: 3\n  nfiles: 1\n  hash: md5\n  path: images\n',
      'data/raw.dvc': 'outs:\n- md5: beef\n  size: 9\n  hash: md5\n  path: raw\n',
      'notes.txt': 'hello',
    });
    const config = loadWorkspaceConfig(folder);
    const declared = (name: string) => readDatasetDeclarations(config).datasets.find((dataset) => dataset.name === name)!;
    await snapshotDataset(declared('train'), { storeDir: config.storeDir, folder });
    await snapshotDataset(declared('images'), { storeDir: config.storeDir, folder });
    fs.writeFileSync(path.join(folder, 'data', 'images', '2.png'), 'two');
    appendDatasetRecord(datasetRecordsFile(config.storeDir, 'legacy'), { version: 1, hash: 'sha256:ab', path: 'old/legacy.csv' });
    fs.appendFileSync(datasetRecordsFile(config.storeDir, 'legacy'), 'not json\n');

    const { datasets, problems } = await listDatasets(config);
    const summary = datasets.map((entry) => ({ name: entry.name, source: entry.source, declared: entry.declared, versions: entry.versions.map((version) => version.version), modified: entry.modified?.modified, dvc: entry.dvc?.hash }));
    assert.deepEqual(summary, [
      { name: 'train', source: 'mltrail', declared: true, versions: [1], modified: false, dvc: undefined },
      { name: 'images', source: 'mltrail', declared: true, versions: [1], modified: true, dvc: 'md5:3a1f.dir' },
      { name: 'notes', source: 'mltrail', declared: true, versions: [], modified: undefined, dvc: undefined },
      { name: 'legacy', source: 'mltrail', declared: false, versions: [1], modified: true, dvc: undefined },
      { name: 'data/raw', source: 'dvc', declared: false, versions: [], modified: undefined, dvc: 'md5:beef' },
    ]);
    assert.equal(datasets[0]?.description, 'the training split');
    assert.equal(datasets[3]?.path, 'old/legacy.csv');
    assert.deepEqual(
      problems.map((problem) => `${path.basename(problem.path)}:${problem.line}`),
      ['mltrail.json:6', 'mltrail.json:7', 'mltrail.json:8', 'legacy.jsonl:2'],
    );
  });
});
