import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withFileLock } from '../../src/platform/fileLock.ts';
import { tempDir } from '../support/tempStore.ts';

const fileLockUrl = new URL('../../src/platform/fileLock.ts', import.meta.url).href;

// Each child increments the counter `times` times under the lock, with a pause between its read and its write so
// that two holders at once would lose an update.
const incrementer = `
import fs from 'node:fs';
import { withFileLock } from ${JSON.stringify(fileLockUrl)};
const [lock, counter, times] = process.argv.slice(1);
for (let i = 0; i < Number(times); i++) {
  await withFileLock(lock, async () => {
    const value = Number(fs.readFileSync(counter, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 1));
    fs.writeFileSync(counter, String(value + 1));
  });
}
`;

function runIncrementer(lock: string, counter: string, times: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', incrementer, lock, counter, String(times)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`incrementer exited with ${code}`))));
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

function writeLock(lock: string, holder: object): void {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, JSON.stringify(holder));
}

describe('withFileLock', () => {
  it('returns the action result and removes the lock, also when the action throws', async () => {
    const lock = path.join(tempDir(), 'sub', 'x.lock');
    const seen = await withFileLock(lock, () => fs.existsSync(lock));
    assert.equal(seen, true, 'the lock file exists while the action runs');
    assert.equal(fs.existsSync(lock), false);
    await assert.rejects(withFileLock(lock, () => { throw new Error('boom'); }), /boom/);
    assert.equal(fs.existsSync(lock), false);
  });

  it('records who holds the lock', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    const holder = await withFileLock(lock, () => JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number; host: string; time: number });
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, os.hostname());
    assert.ok(Math.abs(holder.time - Date.now()) < 5000);
  });

  it('lets one caller in at a time within a process', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 10 }, () => withFileLock(lock, async () => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inside -= 1;
    })));
    assert.equal(most, 1);
  });

  it('loses no update when several processes increment a counter under the lock', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'counter.lock');
    const counter = path.join(dir, 'counter');
    fs.writeFileSync(counter, '0');
    await Promise.all(Array.from({ length: 6 }, () => runIncrementer(lock, counter, 25)));
    assert.equal(Number(fs.readFileSync(counter, 'utf8')), 6 * 25);
    assert.equal(fs.existsSync(lock), false);
  });

  it('takes over a lock left by a dead process on this host at once', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    writeLock(lock, { pid: await deadPid(), host: os.hostname(), time: Date.now() });
    const started = Date.now();
    assert.equal(await withFileLock(lock, () => 'got it', { timeoutMs: 2000 }), 'got it');
    assert.ok(Date.now() - started < 1000);
  });

  it('lets exactly one of several racing processes recover a stale lock at a time', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'counter.lock');
    const counter = path.join(dir, 'counter');
    fs.writeFileSync(counter, '0');
    writeLock(lock, { pid: await deadPid(), host: os.hostname(), time: Date.now() });
    await Promise.all(Array.from({ length: 6 }, () => runIncrementer(lock, counter, 10)));
    assert.equal(Number(fs.readFileSync(counter, 'utf8')), 60);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['counter'], 'no lock or set-aside file is left');
  });

  it('takes over a lock older than staleMs even when its holder is alive', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    writeLock(lock, { pid: process.pid, host: os.hostname(), time: Date.now() - 60_000 });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    assert.equal(await withFileLock(lock, () => 'got it', { staleMs: 30_000, timeoutMs: 500 }), 'got it');
  });

  it('waits for a live holder, then fails naming the lock file and its holder', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    writeLock(lock, { pid: process.pid, host: os.hostname(), time: Date.now() });
    const started = Date.now();
    await assert.rejects(
      withFileLock(lock, () => 'never', { timeoutMs: 200 }),
      (error: Error) => error.message.includes(lock) && error.message.includes(`pid ${process.pid}`) && error.message.includes(os.hostname()),
    );
    assert.ok(Date.now() - started >= 190, 'it waited for the timeout');
    assert.equal(fs.existsSync(lock), true, "the holder's lock is left alone");
  });

  it('does not treat a lock held by another host as dead', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    writeLock(lock, { pid: await deadPid(), host: `not-${os.hostname()}`, time: Date.now() });
    await assert.rejects(withFileLock(lock, () => 'never', { timeoutMs: 100 }), /Timed out/);
  });

  it('gets the lock as soon as the holder releases it', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    writeLock(lock, { pid: process.pid, host: os.hostname(), time: Date.now() });
    setTimeout(() => fs.rmSync(lock), 100);
    assert.equal(await withFileLock(lock, () => 'got it', { timeoutMs: 2000 }), 'got it');
  });

  it('does not remove a lock that was taken over while the action ran', async () => {
    const lock = path.join(tempDir(), 'x.lock');
    const other = JSON.stringify({ pid: process.pid, host: os.hostname(), time: Date.now(), token: 'someone-else' });
    await withFileLock(lock, () => {
      fs.rmSync(lock);
      fs.writeFileSync(lock, other);
    });
    assert.equal(fs.readFileSync(lock, 'utf8'), other);
  });
});
