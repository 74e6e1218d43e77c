import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { cancelKubernetesLaunch } from '../../../../src/jobs/kubernetes/cancelKubernetesLaunch.ts';
import { connectKubernetes } from '../../../../src/jobs/kubernetes/kubeContexts.ts';
import type { KubernetesConnection } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { endRunOnce } from '../../../../src/jobs/kubernetes/runEnd.ts';
import { submitKubernetesJob } from '../../../../src/jobs/kubernetes/submitKubernetesJob.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';
import type { PodStep } from '../../../k8s/podScripts.ts';
import { tempDir } from '../../../support/tempStore.ts';

function definition(extra: Partial<JobDefinition> = {}): JobDefinition {
  return { name: 'train', command: ['python', 'train.py', '--lr', '{lr}'], params: { lr: 0.01 }, sweep: {}, env: {}, inputs: [], kubernetes: { image: 'img' }, ...extra };
}

function endRecords(storeDir: string, runId: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(path.join(storeDir, 'runs', runId, 'run.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.type === 'end');
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('cancelling a Kubernetes launch', () => {
  let server: FakeApiServer;
  let connection: KubernetesConnection;

  before(async () => {
    server = await startFakeApiServer({
      namespace: 'ml',
      // A job whose env says MODE=by-index: index 0 succeeds, index 1 fails, the others keep running.
      controller: {
        defaultScript: 'succeed',
        chooseScript: ({ job, index }) => {
          const env: Array<{ name: string; value?: string }> = job.spec.template.spec.containers[0].env ?? [];
          if (!env.some((variable) => variable.name === 'MODE' && variable.value === 'by-index')) return undefined;
          const byIndex: PodStep[][] = [[{ kind: 'running' }, { kind: 'succeeded' }], [{ kind: 'running' }, { kind: 'failed', exitCode: 3 }]];
          return byIndex[index] ?? [{ kind: 'running' }];
        },
      },
    });
    connection = await connectKubernetes(undefined, { file: server.kubeconfigPath });
  });
  after(() => server.stop());

  const podsOf = (launchId: string) => server.store.list('pods', 'ml').filter((pod) => pod.metadata.labels?.['mltrail/run-id'] === launchId);

  it('deletes the running Job with its pods, and ends every run killed exactly once, even cancelled twice', async () => {
    const folder = tempDir();
    const storeDir = path.join(folder, '.mltrail');
    const job = definition({ sweep: { lr: [0.001, 0.01] } });
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir, job, plans: planJobRuns(job) });
    await waitFor(() => podsOf(placement.launchId).length === 2, 'the pods');
    server.controller.advance();
    await waitFor(() => podsOf(placement.launchId).every((pod) => pod.status?.phase === 'Running'), 'the pods to run');

    assert.deepEqual(await cancelKubernetesLaunch({ connection, storeDir, placement }), { jobDeleted: true });
    assert.deepEqual(server.store.list('jobs', 'ml'), []);
    assert.deepEqual(server.store.list('pods', 'ml'), []);
    const deletion = server.requests.findLast((request) => request.method === 'DELETE');
    assert.equal(deletion?.query.propagationPolicy, 'Background');
    for (const runId of placement.runIds) assert.deepEqual(endRecords(storeDir, runId).map((end) => end.status), ['killed']);

    assert.deepEqual(await cancelKubernetesLaunch({ connection, storeDir, placement }), { jobDeleted: false });
    for (const runId of placement.runIds) assert.deepEqual(endRecords(storeDir, runId).map((end) => end.status), ['killed']);
  });

  it('deletes the code ConfigMap with the Job', async () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'train.py'), 'print(1)\n');
    execFileSync('git', ['init', '-q'], { cwd: folder });
    execFileSync('git', ['add', 'train.py'], { cwd: folder });
    const job = definition({ script: 'train.py', kubernetes: { image: 'img', code: 'configmap' } });
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir: path.join(folder, '.mltrail'), job, plans: planJobRuns(job) });
    assert.ok(server.store.get('configmaps', 'ml', placement.jobName));

    await cancelKubernetesLaunch({ connection, storeDir: path.join(folder, '.mltrail'), placement });
    assert.deepEqual(server.store.list('configmaps', 'ml'), []);
    assert.deepEqual(server.store.list('pods', 'ml'), []);
  });

  it('leaves a run that already ended as it ended', async () => {
    const folder = tempDir();
    const storeDir = path.join(folder, '.mltrail');
    const job = definition({ sweep: { lr: [0.001, 0.01] } });
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir, job, plans: planJobRuns(job) });
    const [finishedRun, runningRun] = placement.runIds as [string, string];
    await endRunOnce(storeDir, finishedRun, { status: 'finished', exitCode: 0 });

    await cancelKubernetesLaunch({ connection, storeDir, placement });
    assert.deepEqual(endRecords(storeDir, finishedRun).map((end) => end.status), ['finished']);
    assert.deepEqual(endRecords(storeDir, runningRun).map((end) => end.status), ['killed']);
  });

  it('ends the sweep points the Job had completed finished, those it had failed failed, and only the others killed', async () => {
    const folder = tempDir();
    const storeDir = path.join(folder, '.mltrail');
    const job = definition({ sweep: { lr: [0.001, 0.01, 0.1] }, env: { MODE: 'by-index' } });
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir, job, plans: planJobRuns(job) });
    await server.controller.runToEnd();
    const status = server.store.get('jobs', 'ml', placement.jobName)!.status;
    assert.deepEqual([status.completedIndexes, status.failedIndexes, status.active], ['0', '1', 1]);

    assert.deepEqual(await cancelKubernetesLaunch({ connection, storeDir, placement }), { jobDeleted: true });
    const ends = placement.runIds.map((runId) => endRecords(storeDir, runId).map((end) => [end.status, end.exitCode]));
    assert.deepEqual(ends, [[['finished', 0]], [['failed', undefined]], [['killed', undefined]]]);
    assert.equal(server.store.get('jobs', 'ml', placement.jobName), undefined);
  });

  it('ends no run when the cluster cannot be reached, and says why', async () => {
    const other = await startFakeApiServer({ namespace: 'ml' });
    const otherConnection = await connectKubernetes(undefined, { file: other.kubeconfigPath });
    const folder = tempDir();
    const storeDir = path.join(folder, '.mltrail');
    const job = definition();
    const { placement } = await submitKubernetesJob({ connection: otherConnection, folder, storeDir, job, plans: planJobRuns(job) });
    await other.stop();

    await assert.rejects(cancelKubernetesLaunch({ connection: otherConnection, storeDir, placement }), (error: Error) => {
      assert.equal(error.message, `cannot cancel ml/${placement.jobName}: cannot reach the cluster of context "fake" at ${other.url}: connect ECONNREFUSED ${other.url.replace('http://', '')}`);
      return true;
    });
    assert.deepEqual(endRecords(storeDir, placement.launchId), []);
  });
});
