import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TrackedElsewhere, claimLaunch } from '../../../../src/jobs/kubernetes/trackerLock.ts';
import { tempDir } from '../../../support/tempStore.ts';

const lockFile = (dir: string) => path.join(dir, 'tracker.lock');

describe('one process follows a Kubernetes launch', () => {
  it('is refused while a live process on this machine holds the launch, and takes it once that process is gone', async () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    await new Promise((resolve) => holder.once('spawn', resolve));
    fs.writeFileSync(lockFile(dir), JSON.stringify({ host: os.hostname(), pid: holder.pid }));
    assert.throws(() => claimLaunch(dir), (error) => error instanceof TrackedElsewhere && error.pid === holder.pid);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill();
    await exited;
    const release = claimLaunch(dir);
    assert.deepEqual(JSON.parse(fs.readFileSync(lockFile(dir), 'utf8')), { host: os.hostname(), pid: process.pid });
    release();
    assert.equal(fs.existsSync(lockFile(dir)), false);
  });

  it('takes over a lock from another machine or an unreadable one, and releases only its own', () => {
    const dir = tempDir();
    fs.writeFileSync(lockFile(dir), JSON.stringify({ host: 'another-machine', pid: 1 }));
    const release = claimLaunch(dir);
    fs.writeFileSync(lockFile(dir), JSON.stringify({ host: 'another-machine', pid: 2 }));
    release();
    assert.equal(fs.existsSync(lockFile(dir)), true, 'a lock taken by someone else since is left alone');
    fs.writeFileSync(lockFile(dir), 'not json');
    claimLaunch(dir)();
    assert.equal(fs.existsSync(lockFile(dir)), false);
  });
});
