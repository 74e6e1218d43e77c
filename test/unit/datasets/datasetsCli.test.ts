import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type CliIo, UsageError } from '../../../src/cli/cliIo.ts';
import { DATASETS_USAGE, DATASET_USAGE, datasetCommand, datasetsCommand } from '../../../src/cli/datasetsCommand.ts';
import { datasetRecordsFile } from '../../../src/datasets/datasetRecords.ts';
import { formatSize } from '../../../src/datasets/formatSize.ts';
import { tempDir } from '../../support/tempStore.ts';
import { writeFiles, xxh64Of } from './datasetFixtures.ts';

const runsWorker = new URL('../../../src/runs/runsWorker.ts', import.meta.url);

/** Runs a command as src/cli/main.ts does: a usage error exits 2, any other error 1, each as one stderr line. */
async function cli(command: (args: string[], io: CliIo) => Promise<number>, args: string[], cwd: string, workerScript?: URL) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd, out: (text) => (stdout += text), err: (text) => (stderr += text), ...(workerScript ? { workerScript } : {}) };
  try {
    const code = await command(args, io);
    return { code, stdout, stderr };
  } catch (error) {
    return { code: error instanceof UsageError ? 2 : 1, stdout, stderr: `${stderr}mltrail: ${(error as Error).message}\n` };
  }
}

const TRAIN = 'a,b,c\n1,2.5,x\n2,3,y\n';

function workspace(): string {
  const folder = tempDir();
  writeFiles(folder, {
    'mltrail.json': JSON.stringify({ version: 1, datasets: { train: { path: 'data/train.csv', description: 'training split' }, gone: { path: 'data/gone.csv' } } }, null, 2),
    'data/train.csv': TRAIN,
    'data/images.dvc': 'outs:\n- md5: 3a1f.dir\n  size: 40\n  nfiles: 2\n  hash: md5\n  path: images\n',
  });
  return folder;
}

describe('mltrail dataset snapshot', () => {
  it('records a version and prints it as JSON; again, records nothing and says so (exit 0 both)', async () => {
    const folder = workspace();
    const first = await cli(datasetCommand, ['snapshot', 'train', '--note', 'first cut', '--json'], folder, runsWorker);
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout) as { record: { time: string } };
    assert.match(json.record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(json, {
      dataset: 'train',
      recorded: true,
      version: 1,
      reason: 'recorded v1',
      record: {
        version: 1,
        path: 'data/train.csv',
        hash: `xxh64:${await xxh64Of(TRAIN)}`,
        size: TRAIN.length,
        files: 1,
        rows: 2,
        columns: [{ name: 'a', type: 'integer' }, { name: 'b', type: 'float' }, { name: 'c', type: 'string' }],
        time: json.record.time,
        note: 'first cut',
      },
    });
    const again = await cli(datasetCommand, ['snapshot', 'train'], folder);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, `train: unchanged since v1: nothing recorded (xxh64:${await xxh64Of(TRAIN)}, 20 bytes, 1 file, 2 rows, 3 columns)\n`);
    assert.equal(fs.readFileSync(datasetRecordsFile(path.join(folder, '.mltrail'), 'train'), 'utf8').trim().split('\n').length, 1);
  });

  it('fails with exit 1 naming the path when the data is missing, recording nothing', async () => {
    const folder = workspace();
    const result = await cli(datasetCommand, ['snapshot', 'gone'], folder);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^mltrail: dataset "gone": data\/gone\.csv does not exist .*nothing recorded\n$/);
    assert.equal(fs.existsSync(datasetRecordsFile(path.join(folder, '.mltrail'), 'gone')), false);
  });

  it('fails with exit 1 for a dataset mltrail.json does not declare, and 2 for wrong usage', async () => {
    const folder = workspace();
    const unknown = await cli(datasetCommand, ['snapshot', 'nope'], folder);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no dataset "nope" in .*mltrail\.json \(declared: train, gone\)/);
    for (const args of [[], ['snapshot'], ['remove', 'train'], ['snapshot', 'train', 'extra'], ['snapshot', 'train', '--bogus']]) {
      assert.equal((await cli(datasetCommand, args, folder)).code, 2, args.join(' '));
    }
    assert.equal((await cli(datasetsCommand, ['--bogus'], folder)).code, 2);
    assert.equal((await cli(datasetsCommand, ['--store', 'no-such-store'], folder)).code, 1);
  });

  it('prints its usage with --help', async () => {
    assert.deepEqual(await cli(datasetCommand, ['--help'], tempDir()), { code: 0, stdout: DATASET_USAGE, stderr: '' });
    assert.deepEqual(await cli(datasetsCommand, ['--help'], tempDir()), { code: 0, stdout: DATASETS_USAGE, stderr: '' });
  });
});

describe('mltrail datasets', () => {
  it('prints every dataset as documented JSON', async () => {
    const folder = workspace();
    await cli(datasetCommand, ['snapshot', 'train'], folder);
    const result = await cli(datasetsCommand, ['--json'], folder);
    assert.equal(result.code, 0, result.stderr);
    const datasets = JSON.parse(result.stdout) as Array<Record<string, unknown> & { versions: Array<Record<string, unknown>> }>;
    assert.deepEqual(datasets.map((dataset) => dataset.name), ['train', 'gone', 'data/images']);
    assert.deepEqual({ ...datasets[0], versions: datasets[0]?.versions.map((version) => version.version) }, {
      name: 'train',
      source: 'mltrail',
      path: 'data/train.csv',
      description: 'training split',
      declared: true,
      latestVersion: 1,
      modified: false,
      modifiedReason: 'unchanged since v1',
      versions: [1],
      dvc: null,
    });
    assert.deepEqual(datasets[2], {
      name: 'data/images',
      source: 'dvc',
      path: 'data/images',
      description: null,
      declared: false,
      latestVersion: null,
      modified: null,
      modifiedReason: null,
      versions: [],
      dvc: { file: 'data/images.dvc', stage: null, path: 'data/images', hash: 'md5:3a1f.dir', size: 40, files: 2 },
    });
  });

  it('prints a table for people, marking data changed since its latest version', async () => {
    const folder = workspace();
    await cli(datasetCommand, ['snapshot', 'train'], folder);
    fs.appendFileSync(path.join(folder, 'data', 'train.csv'), '3,4,z\n');
    const { code, stdout } = await cli(datasetsCommand, [], folder);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+SOURCE\s+PATH\s+LATEST\s+HASH\s+SIZE\s+FILES\s+ROWS\s+MODIFIED\s+RECORDED$/);
    assert.match(lines[1] ?? '', /^train\s+mltrail\s+data\/train\.csv\s+v1\s+xxh64:[0-9a-f]{8}\s+20 bytes\s+1\s+2\s+yes\s+just now$/);
    assert.match(lines[2] ?? '', /^gone\s+mltrail\s+data\/gone\.csv$/);
    assert.match(lines[3] ?? '', /^data\/images\s+dvc\s+data\/images\s+md5:3a1f\.dir\s+40 bytes\s+2$/);
  });

  it('says how to declare datasets when there are none', async () => {
    const { code, stdout } = await cli(datasetsCommand, [], tempDir());
    assert.equal(code, 0);
    assert.match(stdout, /^No datasets\. Declare them in mltrail\.json/);
  });
});

describe('formatSize', () => {
  it('prints sizes in SI units with two or three significant digits', () => {
    assert.deepEqual([0, 999, 1234, 73_151_211, 10e9, 2.5e15].map(formatSize), ['0 bytes', '999 bytes', '1.2 kB', '73.2 MB', '10 GB', '2.5 PB']);
  });
});
