import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findDvcOutputs } from '../../../src/datasets/dvcDatasets.ts';
import { tempDir } from '../../support/tempStore.ts';
import { writeFiles } from './datasetFixtures.ts';

const DIRECTORY_DVC = `outs:
- md5: 3a1f8c7e2e0b4c1d9f6a5b4c3d2e1f00.dir
  size: 40000000
  nfiles: 70000
  hash: md5
  path: images
`;

const LEGACY_FILE_DVC = `md5: 5ab2a4b8ad3b7c8c1d2e3f4a5b6c7d8e
outs:
- md5: '12345678901234567890123456789012'
  size: 1234
  path: raw.csv
`;

const DVC_LOCK = `schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/raw.csv
    deps:
    - path: data/raw.csv
      hash: md5
      md5: 12345678901234567890123456789012
      size: 1234
    params:
      params.yaml:
        prepare.seed: 20170428
    outs:
    - path: data/prepared
      hash: md5
      md5: 153aad06d376b6595932470e459ef42a.dir
      size: 8437363
      nfiles: 2
  train:
    cmd: python train.py
    outs:
    - path: model.pkl
      hash: md5
      md5: 4cdb4a8c2a9c7a3e0f1b2c3d4e5f6a7b
      size: 10
`;

describe('findDvcOutputs', () => {
  it('reads .dvc files and dvc.lock stages, with DVC 3 and DVC 2 hash names', () => {
    const folder = tempDir();
    writeFiles(folder, { 'data/images.dvc': DIRECTORY_DVC, 'data/raw.csv.dvc': LEGACY_FILE_DVC, 'dvc.lock': DVC_LOCK });
    const { outputs, problems } = findDvcOutputs(folder);
    assert.deepEqual(problems, []);
    const byPath = Object.fromEntries(outputs.map((output) => [output.path, output]));
    assert.deepEqual(Object.keys(byPath).sort(), ['data/images', 'data/prepared', 'data/raw.csv', 'model.pkl']);
    assert.deepEqual(byPath['data/images'], {
      path: 'data/images',
      absolutePath: path.join(folder, 'data', 'images'),
      hash: 'md5:3a1f8c7e2e0b4c1d9f6a5b4c3d2e1f00.dir',
      size: 40000000,
      files: 70000,
      dvcFile: 'data/images.dvc',
    });
    assert.deepEqual(byPath['data/raw.csv'], { path: 'data/raw.csv', absolutePath: path.join(folder, 'data', 'raw.csv'), hash: 'md5-dos2unix:12345678901234567890123456789012', size: 1234, dvcFile: 'data/raw.csv.dvc' });
    assert.deepEqual(byPath['data/prepared'], {
      path: 'data/prepared',
      absolutePath: path.join(folder, 'data', 'prepared'),
      hash: 'md5:153aad06d376b6595932470e459ef42a.dir',
      size: 8437363,
      files: 2,
      dvcFile: 'dvc.lock',
      stage: 'prepare',
    });
    assert.equal(byPath['model.pkl']?.stage, 'train');
  });

  it('does not look inside tracked outputs, hidden folders or the paths it is told to skip', () => {
    const folder = tempDir();
    writeFiles(folder, {
      'data/images.dvc': DIRECTORY_DVC,
      'data/images/nested.dvc': 'outs:\n- md5: aa\n  path: inside\n',
      '.venv/lib/pkg.dvc': 'outs:\n- md5: bb\n  path: hidden\n',
      'store/x.dvc': 'outs:\n- md5: cc\n  path: skipped\n',
      'deep/a/b/c.dvc': 'outs:\n- md5: dd\n  path: found\n',
    });
    const { outputs } = findDvcOutputs(folder, [path.join(folder, 'store')]);
    assert.deepEqual(outputs.map((output) => output.path).sort(), ['data/images', 'deep/a/b/found']);
  });

  it('reports files it cannot read and entries without a path, keeping the rest', () => {
    const folder = tempDir();
    writeFiles(folder, {
      'bad.dvc': 'outs:\n\t- md5: x\n',
      'partial.dvc': 'outs:\n- md5: aa\n- md5: bb\n  path: ok.csv\n',
      'list.dvc': '- just\n- a list\n',
    });
    const { outputs, problems } = findDvcOutputs(folder);
    assert.deepEqual(outputs.map((output) => output.path), ['ok.csv']);
    const described = problems.map((problem) => `${path.basename(problem.path)}: ${problem.message}`);
    assert.ok(described.some((text) => text.startsWith('bad.dvc: ')), described.join('\n'));
    assert.ok(described.includes('partial.dvc: "outs": an entry without a "path"; skipped'), described.join('\n'));
    assert.ok(described.includes('list.dvc: expected a YAML mapping of keys to values'), described.join('\n'));
  });
});
