import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestOnly } from '../../../../src/jobs/kubernetes/latestOnly.ts';

/** A task the test settles by hand, counting how often it started. */
function controlledTask() {
  const runs: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const task = () => new Promise<void>((resolve, reject) => runs.push({ resolve, reject }));
  return { task, runs };
}

async function settledState(promise: Promise<void>): Promise<'fulfilled' | 'rejected'> {
  return promise.then(
    () => 'fulfilled',
    () => 'rejected',
  );
}

async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'the condition never held');
}

describe('LatestOnly', () => {
  it('runs one task per key at a time; the requests made meanwhile share one more run', async () => {
    const requests = new LatestOnly();
    const { task, runs } = controlledTask();
    const first = requests.request('Pod/a', task);
    await until(() => runs.length === 1);
    const second = requests.request('Pod/a', task);
    const third = requests.request('Pod/a', task);
    assert.equal(second, third);
    runs[0]!.resolve();
    await until(() => runs.length === 2);
    runs[1]!.resolve();
    assert.deepEqual(await Promise.all([settledState(first), settledState(second)]), ['fulfilled', 'fulfilled']);
    assert.equal(runs.length, 2);
  });

  it('keys run independently', async () => {
    const requests = new LatestOnly();
    const { task, runs } = controlledTask();
    requests.request('Pod/a', task);
    requests.request('Pod/b', task);
    await until(() => runs.length === 2);
  });

  it('runs the queued requests after a task that fails, and runs later requests for that key', async () => {
    const requests = new LatestOnly();
    const { task, runs } = controlledTask();
    const failing = requests.request('Job/j', task);
    await until(() => runs.length === 1);
    const queued = requests.request('Job/j', task);
    runs[0]!.reject(new Error('HTTP 500'));
    assert.equal(await settledState(failing), 'rejected');
    await until(() => runs.length === 2);
    runs[1]!.resolve();
    assert.equal(await settledState(queued), 'fulfilled');

    const later = requests.request('Job/j', task);
    await until(() => runs.length === 3);
    runs[2]!.reject(new Error('HTTP 503'));
    assert.equal(await settledState(later), 'rejected');
    const afterFailure = requests.request('Job/j', task);
    assert.notEqual(afterFailure, later, 'a failed run is not handed out again');
    await until(() => runs.length === 4);
    runs[3]!.resolve();
    assert.equal(await settledState(afterFailure), 'fulfilled');
  });
});
