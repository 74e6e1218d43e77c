import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { resolveDatasetSpec } from '../../../src/datasets/datasetInput.ts';
import { readDatasetDeclarations } from '../../../src/datasets/datasetConfig.ts';
import { snapshotDataset } from '../../../src/datasets/snapshot.ts';
import { loadWorkspaceConfig } from '../../../src/store/config.ts';
import { tempDir } from '../../support/tempStore.ts';
import { ageFiles, writeFiles } from './datasetFixtures.ts';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

function table(shift: number): string {
  return ['amount,channel', ...Array.from({ length: 400 }, (_, row) => `${(row % 97) + shift},${['web', 'store'][row % 2]}`)].join('\n') + '\n';
}

async function snapshot(folder: string, name: string): Promise<void> {
  const config = loadWorkspaceConfig(folder);
  const dataset = readDatasetDeclarations(config).datasets.find((candidate) => candidate.name === name);
  assert.ok(dataset);
  await snapshotDataset(dataset, { storeDir: config.storeDir, folder });
}

test('dataset@version names a table for mltrail drift while that version is on disk, and says why when it is not', async () => {
  const folder = tempDir();
  writeFiles(folder, { 'mltrail.json': JSON.stringify({ version: 1, datasets: { train: { path: 'data/train.csv' }, live: { path: 'data/live.csv' } } }), 'data/train.csv': table(0), 'data/live.csv': table(30) });
  ageFiles(path.join(folder, 'data'));
  await snapshot(folder, 'train');
  await snapshot(folder, 'live');
  const config = loadWorkspaceConfig(folder);
  assert.equal((await resolveDatasetSpec(config, 'train@v1'))?.file, path.join(folder, 'data', 'train.csv'));
  assert.deepEqual((await resolveDatasetSpec(config, 'live'))?.dataset, { name: 'live', version: 1 });
  assert.equal(await resolveDatasetSpec(config, 'nope@1'), undefined, 'not a dataset: left to be read as a path');
  await assert.rejects(resolveDatasetSpec(config, 'train@7'), /train" has no version 7 \(its latest is v1\)/);

  fs.mkdirSync(path.join(folder, '.mltrail'), { recursive: true });
  const result = await cli(['drift', 'train@1', 'live', '--json', '--save'], folder);
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual((JSON.parse(result.stdout) as { columns: Array<{ name: string; drift: boolean }> }).columns.map((column) => [column.name, column.drift]), [['amount', true], ['channel', false]]);
  const [saved] = fs.readdirSync(path.join(folder, '.mltrail', 'drift'));
  const report = JSON.parse(fs.readFileSync(path.join(folder, '.mltrail', 'drift', saved as string), 'utf8')) as { reference: { dataset: unknown }; current: { dataset: unknown } };
  assert.deepEqual([report.reference.dataset, report.current.dataset], [{ name: 'train', version: 1 }, { name: 'live', version: 1 }]);

  fs.writeFileSync(path.join(folder, 'data', 'train.csv'), table(5));
  ageFiles(path.join(folder, 'data', 'train.csv'), 1800);
  await snapshot(folder, 'train');
  const old = await cli(['drift', 'train@1', 'live'], folder);
  assert.equal(old.code, 2);
  assert.match(old.stderr, /train@v1 is not what is on disk: the files on disk are v2\. MLTrail records hashes, not copies/);
  assert.equal((await cli(['drift', 'train@2', 'live'], folder)).code, 1);
});
