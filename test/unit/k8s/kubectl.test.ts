// The same fake server with kubectl as a second, independent client. kubectl runs as an async child process: a
// spawnSync would block the event loop that serves it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startFakeApiServer, type FakeApiServer } from '../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../k8s/manifests.ts';

const kubectlPath = '/usr/bin/kubectl';
const run = promisify(execFile);

describe('fake API server: kubectl as a client', { skip: !fs.existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  let server: FakeApiServer;
  let cacheDir: string;

  const kubectl = async (...args: string[]) => (await run(kubectlPath, ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, ...args], { encoding: 'utf8' })).stdout;

  before(async () => {
    server = await startFakeApiServer({ namespace: 'ml' });
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-cache-'));
  });
  after(async () => {
    await server.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('creates a Job, lists it and its pods as JSON, and reads the pod log', async () => {
    const manifest = path.join(cacheDir, 'job.json');
    fs.writeFileSync(manifest, JSON.stringify(trainingJob('train', { script: 'succeed' })));
    assert.match(await kubectl('create', '-f', manifest, '-n', 'ml'), /job.batch\/train created/);
    await server.controller.runToEnd();

    const jobs = JSON.parse(await kubectl('get', 'jobs', '-n', 'ml', '-o', 'json'));
    assert.equal(jobs.kind, 'List');
    assert.deepEqual(jobs.items.map((job: any) => [job.metadata.name, job.status.succeeded]), [['train', 1]]);

    const pods = JSON.parse(await kubectl('get', 'pods', '-l', 'job-name=train', '-n', 'ml', '-o', 'json'));
    assert.equal(pods.items.length, 1);
    assert.equal(pods.items[0].status.phase, 'Succeeded');

    assert.equal(await kubectl('logs', pods.items[0].metadata.name, '-n', 'ml'), 'epoch 1 loss=0.9\nepoch 2 loss=0.5\n');
  });

  it('prints the server-side Tables for people', async () => {
    const table = await kubectl('get', 'jobs', '-n', 'ml');
    assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+AGE\n/);
    assert.match(table, /\ntrain\s+Complete\s+1\/1\s+\d+s\n/);
    assert.match(await kubectl('get', 'events', '-n', 'ml'), /Normal\s+Completed\s+job\/train\s+Job completed/);
  });

  it('follows a log with -f until the container terminates', async () => {
    fs.writeFileSync(path.join(cacheDir, 'follow.json'), JSON.stringify(trainingJob('follow', { script: 'succeed' })));
    await kubectl('create', '-f', path.join(cacheDir, 'follow.json'), '-n', 'ml');
    await new Promise((resolve) => setImmediate(resolve));
    server.controller.advance();
    const [pod] = server.store.list('pods', 'ml').filter((candidate) => candidate.metadata.labels?.['job-name'] === 'follow');
    const following = kubectl('logs', '-f', pod!.metadata.name, '-n', 'ml');
    while (!server.requests.some((request) => request.path.endsWith(`${pod!.metadata.name}/log`))) await new Promise((resolve) => setTimeout(resolve, 10));
    server.controller.advance();
    server.controller.advance();
    assert.equal(await following, 'epoch 1 loss=0.9\nepoch 2 loss=0.5\n');
  });

  it('unsuspends a Job with kubectl patch and deletes it with its pods (kubectl cascades in the background)', async () => {
    fs.writeFileSync(path.join(cacheDir, 'queued.json'), JSON.stringify(trainingJob('queued', { script: 'idle', suspend: true })));
    await kubectl('create', '-f', path.join(cacheDir, 'queued.json'), '-n', 'ml');
    assert.equal(JSON.parse(await kubectl('get', 'pods', '-l', 'job-name=queued', '-n', 'ml', '-o', 'json')).items.length, 0);

    await kubectl('patch', 'job', 'queued', '-n', 'ml', '--type=merge', '-p', '{"spec":{"suspend":false}}');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(JSON.parse(await kubectl('get', 'pods', '-l', 'job-name=queued', '-n', 'ml', '-o', 'json')).items.length, 1);

    assert.match(await kubectl('delete', 'job', 'queued', '-n', 'ml'), /job.batch "queued" deleted/);
    assert.equal(JSON.parse(await kubectl('get', 'pods', '-l', 'job-name=queued', '-n', 'ml', '-o', 'json')).items.length, 0);
  });

  it('reports a missing Job with the server\'s NotFound message', async () => {
    await assert.rejects(kubectl('get', 'job', 'absent', '-n', 'ml'), (error: { stderr: string }) => {
      assert.match(error.stderr, /Error from server \(NotFound\): jobs.batch "absent" not found/);
      return true;
    });
  });
});
