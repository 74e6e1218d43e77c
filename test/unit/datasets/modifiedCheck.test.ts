import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HashCache, hashCacheFile } from '../../../src/datasets/hashCache.ts';
import { hashPath } from '../../../src/datasets/hashTree.ts';
import { checkModified } from '../../../src/datasets/modifiedCheck.ts';
import { snapshotDataset } from '../../../src/datasets/snapshot.ts';
import { tempDir } from '../../support/tempStore.ts';
import { writeFiles } from './datasetFixtures.ts';

/** A directory dataset snapshotted once: v1. */
async function snapshotted() {
  const folder = tempDir();
  writeFiles(folder, { 'data/a.csv': 'x\n1\n', 'data/b.csv': 'x\n2\n' });
  const storeDir = path.join(folder, '.mltrail');
  const data = path.join(folder, 'data');
  const { record } = await snapshotDataset({ name: 'data', path: 'data', absolutePath: data }, { storeDir, folder });
  const check = () => checkModified(data, record, HashCache.load(hashCacheFile(storeDir)));
  return { folder, storeDir, data, record, check };
}

describe('checkModified', () => {
  it('says unchanged right after a snapshot', async () => {
    const { check } = await snapshotted();
    assert.deepEqual(await check(), { modified: false, reason: 'unchanged since v1' });
  });

  it('sees an edited, an added and a removed file, and a dataset that is gone', async () => {
    const edited = await snapshotted();
    fs.writeFileSync(path.join(edited.data, 'a.csv'), 'x\n3\n');
    fs.utimesSync(path.join(edited.data, 'a.csv'), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await edited.check(), { modified: true, reason: 'a.csv changed since v1' });

    const added = await snapshotted();
    fs.writeFileSync(path.join(added.data, 'c.csv'), 'x\n');
    assert.deepEqual(await added.check(), { modified: true, reason: '3 files, 2 in v1' });

    const removed = await snapshotted();
    fs.rmSync(path.join(removed.data, 'b.csv'));
    assert.equal((await removed.check()).modified, true);

    const gone = await snapshotted();
    fs.rmSync(gone.data, { recursive: true });
    assert.deepEqual(await gone.check(), { modified: true, reason: `${gone.data} no longer exists` });
  });

  it('sees a change that a later hash put in the cache (a cancelled snapshot, say)', async () => {
    const { storeDir, data, check } = await snapshotted();
    fs.writeFileSync(path.join(data, 'a.csv'), 'x\n9\n');
    await hashPath(data, { cacheFile: hashCacheFile(storeDir) });
    assert.deepEqual(await check(), { modified: true, reason: 'the content differs from v1' });
  });

  it('cannot tell without hashing when the cache was cleared, or the version was hashed another way', async () => {
    const { storeDir, data, record, check } = await snapshotted();
    fs.rmSync(path.join(storeDir, 'cache'), { recursive: true });
    assert.deepEqual(await check(), { modified: undefined, reason: '2 files not hashed on this machine yet: snapshot to compare' });
    const md5 = await checkModified(data, { ...record, hash: 'md5:0123' }, HashCache.load(hashCacheFile(storeDir)));
    assert.equal(md5.modified, undefined);
  });

  it('opens no file: stat only', async (context) => {
    const { storeDir, data, record } = await snapshotted();
    const cache = HashCache.load(hashCacheFile(storeDir));
    const opened: string[] = [];
    context.mock.method(fs, 'openSync', (file: string) => {
      opened.push(file);
      throw new Error('no file may be opened');
    });
    context.mock.method(fs, 'readFileSync', (file: string) => {
      opened.push(file);
      throw new Error('no file may be read');
    });
    assert.equal((await checkModified(data, record, cache)).modified, false);
    assert.deepEqual(opened, []);
  });
});
