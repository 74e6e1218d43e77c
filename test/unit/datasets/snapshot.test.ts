import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { DeclaredDataset } from '../../../src/datasets/datasetConfig.ts';
import { datasetRecordsFile, readDatasetRecords } from '../../../src/datasets/datasetRecords.ts';
import { type SnapshotResult, snapshotDataset } from '../../../src/datasets/snapshot.ts';
import { tempDir } from '../../support/tempStore.ts';
import { workerScript, writeFiles, xxh64Of } from './datasetFixtures.ts';

function workspace(files: Record<string, string>): { folder: string; storeDir: string; dataset: (name: string, relative: string) => DeclaredDataset } {
  const folder = tempDir();
  writeFiles(folder, files);
  return { folder, storeDir: path.join(folder, '.mltrail'), dataset: (name, relative) => ({ name, path: relative, absolutePath: path.join(folder, relative) }) };
}

const TRAIN = 'id,score,label\n1,0.5,cat\n2,1.5,dog\n3,2,cat\n';

describe('snapshotDataset', () => {
  it('records version 1 with hash, size, files, rows, columns, time and note', async () => {
    const { folder, storeDir, dataset } = workspace({ 'data/train.csv': TRAIN });
    const before = Date.now();
    const result = await snapshotDataset(dataset('train', 'data/train.csv'), { storeDir, folder, note: 'first cut' });
    assert.equal(result.recorded, true);
    assert.equal(result.version, 1);
    assert.equal(result.reason, 'recorded v1');
    const { time, ...rest } = result.record;
    assert.ok(time !== undefined && time >= before && time <= Date.now());
    assert.deepEqual(rest, {
      version: 1,
      path: 'data/train.csv',
      hash: `xxh64:${await xxh64Of(TRAIN)}`,
      size: TRAIN.length,
      files: 1,
      rows: 3,
      columns: [{ name: 'id', type: 'integer' }, { name: 'score', type: 'float' }, { name: 'label', type: 'string' }],
      note: 'first cut',
    });
    assert.deepEqual(readDatasetRecords(datasetRecordsFile(storeDir, 'train')).records, [result.record]);
  });

  it('records nothing when the content equals the latest version, and a new version when it does not', async () => {
    const { folder, storeDir, dataset } = workspace({ 'data/train.csv': TRAIN });
    const train = dataset('train', 'data/train.csv');
    const first = await snapshotDataset(train, { storeDir, folder });
    const same = await snapshotDataset(train, { storeDir, folder, note: 'a note alone is not new data' });
    assert.deepEqual({ recorded: same.recorded, version: same.version, reason: same.reason, record: same.record }, { recorded: false, version: 1, reason: 'unchanged since v1: nothing recorded', record: first.record });
    fs.appendFileSync(train.absolutePath, '4,3.5,dog\n');
    const second = await snapshotDataset(train, { storeDir, folder });
    assert.deepEqual([second.recorded, second.version, second.record.rows], [true, 2, 4]);
    fs.writeFileSync(train.absolutePath, TRAIN);
    const third = await snapshotDataset(train, { storeDir, folder });
    assert.deepEqual([third.recorded, third.version, third.record.hash], [true, 3, first.record.hash], 'back to v1 content is a new version: only the latest is compared');
    assert.deepEqual(readDatasetRecords(datasetRecordsFile(storeDir, 'train')).records.map((record) => record.version), [1, 2, 3]);
  });

  it('fails naming the path when the data is missing, and records nothing', async () => {
    const { folder, storeDir, dataset } = workspace({});
    await assert.rejects(snapshotDataset(dataset('train', 'data/missing.csv'), { storeDir, folder }), (error: Error) => {
      assert.match(error.message, /dataset "train": data\/missing\.csv does not exist \(.*missing\.csv\); nothing recorded/);
      return true;
    });
    assert.equal(fs.existsSync(datasetRecordsFile(storeDir, 'train')), false);
  });

  it('still records a table it cannot fully read, with the problems found', async () => {
    const { folder, storeDir, dataset } = workspace({ 'broken.csv': 'a,b\n1,2\n3\n"open,4\n' });
    const result = await snapshotDataset(dataset('broken', 'broken.csv'), { storeDir, folder });
    assert.equal(result.recorded, true);
    // The CSV reader's own words, prefixed with their line.
    const problems = result.record.problems ?? [];
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /^line 3: .*header has 2/);
    assert.match(problems[1] ?? '', /^line 4: .*never closed/);
    assert.equal(result.record.rows, 2);
  });

  it("profiles a directory's only table file, and no table of a directory holding several", async () => {
    const { folder, storeDir, dataset } = workspace({ 'one/README.md': '# notes', 'one/part.tsv': 'x\ty\n1\ta\n', 'two/a.csv': 'x\n1\n', 'two/b.csv': 'x\n2\n' });
    const one = await snapshotDataset(dataset('one', 'one'), { storeDir, folder, workerScript });
    assert.deepEqual([one.record.files, one.record.rows, one.record.columns], [2, 1, [{ name: 'x', type: 'integer' }, { name: 'y', type: 'string' }]]);
    const two = await snapshotDataset(dataset('two', 'two'), { storeDir, folder });
    assert.deepEqual([two.record.files, two.record.rows, two.record.columns], [2, undefined, undefined]);
  });

  it('records nothing when aborted', async () => {
    const { folder, storeDir, dataset } = workspace({ 'train.csv': TRAIN });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(snapshotDataset(dataset('train', 'train.csv'), { storeDir, folder, signal: controller.signal }), { name: 'AbortError' });
    assert.equal(fs.existsSync(datasetRecordsFile(storeDir, 'train')), false);
  });

  it('records the git commit, branch and dirty state of the workspace, and none outside a repository', async () => {
    const { folder, storeDir, dataset } = workspace({ 'train.csv': TRAIN });
    const outside = await snapshotDataset(dataset('train', 'train.csv'), { storeDir, folder });
    assert.equal(outside.record.git, undefined);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: folder, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(folder, '.gitignore'), '.mltrail/\n');
    git('add', '.');
    git('commit', '-q', '-m', 'data');
    fs.appendFileSync(path.join(folder, 'train.csv'), '9,9,bird\n');
    const inside = await snapshotDataset(dataset('train', 'train.csv'), { storeDir, folder });
    assert.deepEqual(inside.record.git, { commit: git('rev-parse', 'HEAD'), branch: 'main', dirty: true });
  });
});

describe('snapshots from parallel processes', () => {
  const PROCESSES = 6;
  const snapshotModule = new URL('../../../src/datasets/snapshot.ts', import.meta.url).href;

  /** A process that says "ready", waits for the go file, snapshots `file` as "train" and prints the result. */
  function snapshotter(folder: string, file: string, go: string): { child: ChildProcess; ready: Promise<void>; result: Promise<SnapshotResult> } {
    const script = `
      import fs from 'node:fs';
      import path from 'node:path';
      const { snapshotDataset } = await import(${JSON.stringify(snapshotModule)});
      const [folder, file, go] = process.argv.slice(1);
      process.stdout.write('ready\\n');
      while (!fs.existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
      const result = await snapshotDataset({ name: 'train', path: file, absolutePath: path.join(folder, file) }, { storeDir: path.join(folder, '.mltrail'), folder });
      process.stdout.write(JSON.stringify(result) + '\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, folder, file, go], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let signalReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (signalReady = resolve));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('ready\n')) signalReady();
    });
    const result = new Promise<SnapshotResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.split('\n')[1] as string) as SnapshotResult) : reject(new Error(`snapshot process exited with ${code}`))));
    });
    return { child, ready, result };
  }

  async function runAtOnce(folder: string, files: string[]): Promise<SnapshotResult[]> {
    const go = path.join(folder, 'go');
    const processes = files.map((file) => snapshotter(folder, file, go));
    await Promise.all(processes.map((process) => process.ready));
    fs.writeFileSync(go, '');
    return Promise.all(processes.map((process) => process.result));
  }

  it(`${PROCESSES} processes recording different content at once get versions 1..${PROCESSES}, each once`, async () => {
    const files = Object.fromEntries(Array.from({ length: PROCESSES }, (_, index) => [`data/v${index}.csv`, `x\n${index}\n`]));
    const { folder, storeDir } = workspace(files);
    const results = await runAtOnce(folder, Object.keys(files));
    assert.ok(results.every((result) => result.recorded));
    assert.deepEqual(results.map((result) => result.version).sort((a, b) => a - b), Array.from({ length: PROCESSES }, (_, index) => index + 1));
    const { records, problems } = readDatasetRecords(datasetRecordsFile(storeDir, 'train'));
    assert.deepEqual(problems, []);
    assert.deepEqual(records.map((record) => record.version), Array.from({ length: PROCESSES }, (_, index) => index + 1));
    assert.equal(new Set(records.map((record) => record.hash)).size, PROCESSES);
  });

  it(`${PROCESSES} processes recording the same content at once record it once`, async () => {
    const { folder, storeDir } = workspace({ 'data/train.csv': TRAIN });
    const results = await runAtOnce(folder, Array.from({ length: PROCESSES }, () => 'data/train.csv'));
    assert.equal(results.filter((result) => result.recorded).length, 1);
    assert.ok(results.every((result) => result.version === 1));
    assert.equal(readDatasetRecords(datasetRecordsFile(storeDir, 'train')).records.length, 1);
  });
});
