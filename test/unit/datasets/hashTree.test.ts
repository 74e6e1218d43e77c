import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MissingPathError } from '../../../src/datasets/fileListing.ts';
import { hashPath } from '../../../src/datasets/hashTree.ts';
import { tempDir } from '../../support/tempStore.ts';
import { ageFiles, patternBytes, workerScript, writeFiles, xxh64Of } from './datasetFixtures.ts';

/** The documented directory hash: xxh64 over "path NUL hash LF" lines, sorted by the paths' UTF-8 bytes. */
async function expectedDirectoryHash(files: Record<string, string | Uint8Array>): Promise<string> {
  const entries = await Promise.all(Object.entries(files).map(async ([relative, content]) => ({ relative, hash: await xxh64Of(content) })));
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.relative), Buffer.from(b.relative)));
  return `xxh64:${await xxh64Of(entries.map((entry) => `${entry.relative}\0${entry.hash}\n`).join(''))}`;
}

describe('hashPath', () => {
  it("hashes a file's content with xxh64", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'data.bin');
    const content = patternBytes(100_000, 1);
    fs.writeFileSync(file, content);
    assert.deepEqual(await hashPath(file), { hash: `xxh64:${await xxh64Of(content)}`, size: 100_000, files: 1, hashedFiles: 1 });
  });

  it('hashes a directory as its sorted (relative path, file hash) list, whatever order the files were made in', async () => {
    // U+FFDA sorts after U+1F600 in UTF-16 code units but before it in code points (UTF-8 bytes, Python's order).
    const files = { 'b.csv': 'b', 'a.csv': 'a', 'sub/z.txt': 'z', 'sub/a b.txt': 'space', '\u{1F600}.txt': 'emoji', '\uFFDA.txt': 'halfwidth' };
    const forward = tempDir();
    const backward = tempDir();
    writeFiles(forward, files);
    writeFiles(backward, Object.fromEntries(Object.entries(files).reverse()));
    const expected = await expectedDirectoryHash(files);
    const first = await hashPath(forward);
    assert.equal(first.hash, expected);
    assert.equal((await hashPath(backward)).hash, expected);
    assert.equal(first.files, 6);
    assert.equal(first.size, Object.values(files).reduce((total, content) => total + Buffer.byteLength(content), 0));
  });

  it("changes when a file's content, a file's name or the set of files changes", async () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.txt': 'one', 'b/c.txt': 'two' });
    const original = (await hashPath(dir)).hash;
    fs.writeFileSync(path.join(dir, 'a.txt'), 'One');
    const edited = (await hashPath(dir)).hash;
    fs.renameSync(path.join(dir, 'a.txt'), path.join(dir, 'A.txt'));
    const renamed = (await hashPath(dir)).hash;
    fs.writeFileSync(path.join(dir, 'empty'), '');
    const added = (await hashPath(dir)).hash;
    assert.equal(new Set([original, edited, renamed, added]).size, 4);
  });

  it('follows symbolic links, but not around a cycle nor to nothing', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'a/f.txt': 'x' });
    fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
    fs.symlinkSync(path.join(dir, 'a', 'f.txt'), path.join(dir, 'link.txt'));
    fs.symlinkSync(path.join(dir, 'nothing'), path.join(dir, 'dangling'));
    assert.equal((await hashPath(dir)).hash, await expectedDirectoryHash({ 'a/f.txt': 'x', 'link.txt': 'x' }));
  });

  it('gives the same hashes on worker threads as on this thread, and reports progress up to the total', async () => {
    const dir = tempDir();
    const big = patternBytes(9 * 1024 * 1024 + 5, 2);
    const files = { 'big.bin': big, 'small.txt': 'small', 'nested/other.bin': patternBytes(70_000, 3) };
    writeFiles(dir, files);
    const progress: Array<[number, number]> = [];
    const inWorkers = await hashPath(dir, { workerScript, onProgress: (done, total) => progress.push([done, total]) });
    assert.equal(inWorkers.hash, await expectedDirectoryHash(files));
    assert.equal((await hashPath(dir)).hash, inWorkers.hash);
    const single = await hashPath(path.join(dir, 'big.bin'), { workerScript });
    assert.equal(single.hash, `xxh64:${await xxh64Of(big)}`);
    assert.ok(progress.length >= 2);
    assert.deepEqual(progress.at(-1), [inWorkers.size, inWorkers.size]);
    assert.ok(progress.every(([done], index) => index === 0 || done >= (progress[index - 1] as [number, number])[0]), 'progress never goes back');
  });

  it('stops the worker threads on abort, rejecting with the signal\'s reason', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'big.bin': patternBytes(9 * 1024 * 1024, 7) });
    const controller = new AbortController();
    const hashing = hashPath(dir, { workerScript, signal: controller.signal });
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(hashing, { message: 'cancelled by the user' });
    await assert.rejects(hashPath(dir, { workerScript, signal: controller.signal }), { message: 'cancelled by the user' });
  });

  it('throws MissingPathError naming a path that does not exist', async () => {
    const missing = path.join(tempDir(), 'nope.csv');
    await assert.rejects(hashPath(missing), (error: unknown) => error instanceof MissingPathError && error.message.includes(missing));
  });
});

describe('the hash cache', () => {
  async function cachedSetup() {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    writeFiles(data, { 'a.csv': 'x,y\n1,2\n', 'b.csv': 'x,y\n3,4\n' });
    ageFiles(data);
    const cacheFile = path.join(dir, 'cache', 'file-hashes.json');
    const first = await hashPath(data, { cacheFile });
    return { data, cacheFile, first };
  }

  it('reads no file again while (path, size, mtime, inode) are unchanged', async () => {
    const { data, cacheFile, first } = await cachedSetup();
    assert.equal(first.hashedFiles, 2);
    const again = await hashPath(data, { cacheFile });
    assert.deepEqual(again, { ...first, hashedFiles: 0 });
    // Proof that the cache answered: content changed behind its back (same size, mtime and inode) goes unseen.
    const file = path.join(data, 'a.csv');
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'x,y\n9,9\n');
    fs.utimesSync(file, mtime, mtime);
    assert.equal((await hashPath(data, { cacheFile })).hash, first.hash);
  });

  it('hashes a file again when its size changes', async () => {
    const { data, cacheFile, first } = await cachedSetup();
    const file = path.join(data, 'a.csv');
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'x,y\n1,22\n');
    fs.utimesSync(file, mtime, mtime);
    const again = await hashPath(data, { cacheFile });
    assert.equal(again.hashedFiles, 1);
    assert.notEqual(again.hash, first.hash);
  });

  it('hashes a file again when its mtime changes', async () => {
    const { data, cacheFile, first } = await cachedSetup();
    const file = path.join(data, 'a.csv');
    fs.writeFileSync(file, 'x,y\n5,6\n');
    ageFiles(file, 1800);
    const again = await hashPath(data, { cacheFile });
    assert.equal(again.hashedFiles, 1);
    assert.notEqual(again.hash, first.hash);
  });

  it('hashes a file again when it is replaced by another file (new inode), same size and mtime', async () => {
    const { data, cacheFile, first } = await cachedSetup();
    const file = path.join(data, 'a.csv');
    const { mtime, ino } = fs.statSync(file);
    const replacement = path.join(data, '..', 'replacement.csv');
    fs.writeFileSync(replacement, 'x,y\n7,8\n');
    fs.utimesSync(replacement, mtime, mtime);
    fs.renameSync(replacement, file);
    assert.notEqual(fs.statSync(file).ino, ino);
    const again = await hashPath(data, { cacheFile });
    assert.equal(again.hashedFiles, 1);
    assert.notEqual(again.hash, first.hash);
  });

  it('does not trust a hash taken while the file was being written (mtime within the last seconds)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'fresh.csv');
    fs.writeFileSync(file, 'a\n1\n');
    const cacheFile = path.join(dir, 'cache.json');
    await hashPath(file, { cacheFile });
    assert.equal((await hashPath(file, { cacheFile })).hashedFiles, 1);
  });

  it('keeps the hashes finished before an abort, so the next hash reads only the rest', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    writeFiles(data, { 'a.bin': patternBytes(1_000_000, 4), 'b.bin': patternBytes(1_000_000, 5), 'c.bin': patternBytes(6_000_000, 6) });
    ageFiles(data);
    const cacheFile = path.join(dir, 'cache.json');
    const controller = new AbortController();
    const aborted = hashPath(data, { cacheFile, signal: controller.signal, onProgress: (done) => done >= 2_000_000 && controller.abort() });
    await assert.rejects(aborted, { name: 'AbortError' });
    const resumed = await hashPath(data, { cacheFile });
    assert.equal(resumed.hashedFiles, 1);
    assert.equal(resumed.hash, (await hashPath(data)).hash);
  });

  it('forgets the files a directory no longer holds, and shares one file between targets', async () => {
    const dir = tempDir();
    const cacheFile = path.join(dir, 'cache.json');
    writeFiles(dir, { 'one/a.txt': 'a', 'one/b.txt': 'b', 'two/c.txt': 'c' });
    ageFiles(dir);
    await hashPath(path.join(dir, 'one'), { cacheFile });
    await hashPath(path.join(dir, 'two'), { cacheFile });
    fs.rmSync(path.join(dir, 'one', 'b.txt'));
    await hashPath(path.join(dir, 'one'), { cacheFile });
    const saved = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { targets: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(saved.targets[path.join(dir, 'one')] ?? {}), ['a.txt']);
    assert.deepEqual(Object.keys(saved.targets[path.join(dir, 'two')] ?? {}), ['c.txt']);
    assert.ok(fs.existsSync(path.join(dir, '.gitignore')), 'the cache folder is kept out of git');
  });
});
