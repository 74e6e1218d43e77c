import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../k8s/manifests.ts';

function statusOf(error: unknown): { code: number; reason: string; kind: string } {
  assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
  const status = JSON.parse(error.body as string);
  assert.equal(status.code, error.code);
  return status;
}

describe('fake API server: batch/v1 Jobs through client-node', () => {
  let server: FakeApiServer;
  let batch: BatchV1Api;
  let core: CoreV1Api;

  before(async () => {
    server = await startFakeApiServer();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(server.kubeconfigPath);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  after(() => server.stop());

  it('creates a Job with the defaults and labels Kubernetes adds, and gets it back', async () => {
    const created = await batch.createNamespacedJob({ namespace: 'ml', body: trainingJob('create-get') });
    assert.equal(created.spec?.backoffLimit, 0);
    assert.equal(created.spec?.completionMode, 'NonIndexed');
    assert.equal(created.spec?.template.metadata?.labels?.['job-name'], 'create-get');
    assert.ok(created.metadata?.creationTimestamp instanceof Date);

    const read = await batch.readNamespacedJob({ namespace: 'ml', name: 'create-get' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
  });

  it('answers a duplicate with 409 AlreadyExists, a missing Job with 404 NotFound, a Job without template with 422 Invalid', async () => {
    await batch.createNamespacedJob({ namespace: 'ml', body: trainingJob('twice') });
    await assert.rejects(batch.createNamespacedJob({ namespace: 'ml', body: trainingJob('twice') }), (error) => {
      assert.deepEqual([statusOf(error).code, statusOf(error).reason, statusOf(error).kind], [409, 'AlreadyExists', 'Status']);
      return true;
    });
    await assert.rejects(batch.readNamespacedJob({ namespace: 'ml', name: 'absent' }), (error) => statusOf(error).reason === 'NotFound');
    const withoutTemplate = { metadata: { name: 'no-template' }, spec: {} } as never;
    await assert.rejects(batch.createNamespacedJob({ namespace: 'ml', body: withoutTemplate }), (error) => {
      const status = statusOf(error);
      assert.deepEqual([status.code, status.reason], [422, 'Invalid']);
      return true;
    });
  });

  it('answers a malformed label selector with 400 BadRequest', async () => {
    await assert.rejects(batch.listNamespacedJob({ namespace: 'ml', labelSelector: 'a in (b' }), (error) => statusOf(error).code === 400);
  });

  it('lists Jobs by a label selector with several requirements', async () => {
    await batch.createNamespacedJob({ namespace: 'sel', body: trainingJob('a', { labels: { team: 'vision', tier: 'gpu' } }) });
    await batch.createNamespacedJob({ namespace: 'sel', body: trainingJob('b', { labels: { team: 'vision', tier: 'cpu' } }) });
    await batch.createNamespacedJob({ namespace: 'other', body: trainingJob('c', { labels: { team: 'vision', tier: 'gpu' } }) });

    const gpu = await batch.listNamespacedJob({ namespace: 'sel', labelSelector: 'team=vision,tier=gpu' });
    assert.deepEqual(gpu.items.map((job) => job.metadata?.name), ['a']);
    const notGpu = await batch.listNamespacedJob({ namespace: 'sel', labelSelector: 'team=vision,tier!=gpu' });
    assert.deepEqual(notGpu.items.map((job) => job.metadata?.name), ['b']);
    assert.ok(Number(gpu.metadata?.resourceVersion) > 0);
  });

  it('deletes with Background propagation: the Job and its pods are gone', async () => {
    await batch.createNamespacedJob({ namespace: 'del', body: trainingJob('bg', { script: 'idle', completions: 2 }) });
    await waitFor(async () => (await core.listNamespacedPod({ namespace: 'del', labelSelector: 'job-name=bg' })).items.length === 2);

    await batch.deleteNamespacedJob({ namespace: 'del', name: 'bg', propagationPolicy: 'Background' });
    assert.equal((await core.listNamespacedPod({ namespace: 'del', labelSelector: 'job-name=bg' })).items.length, 0);
    await assert.rejects(batch.readNamespacedJob({ namespace: 'del', name: 'bg' }), (error) => statusOf(error).code === 404);
  });

  it('orphans the pods when no propagation policy is given, as batch/v1 does', async () => {
    await batch.createNamespacedJob({ namespace: 'del', body: trainingJob('orphan', { script: 'idle' }) });
    await waitFor(async () => (await core.listNamespacedPod({ namespace: 'del', labelSelector: 'job-name=orphan' })).items.length === 1);

    await batch.deleteNamespacedJob({ namespace: 'del', name: 'orphan' });
    const [pod] = (await core.listNamespacedPod({ namespace: 'del', labelSelector: 'job-name=orphan' })).items;
    assert.ok(pod);
    assert.equal(pod.metadata?.ownerReferences, undefined);
  });

  it('reads pods and events of a Job that walked to Succeeded, events filtered by involvedObject.name', async () => {
    await batch.createNamespacedJob({ namespace: 'done', body: trainingJob('ok', { script: 'succeed' }) });
    await server.controller.runToEnd();

    const job = await batch.readNamespacedJobStatus({ namespace: 'done', name: 'ok' });
    assert.equal(job.status?.succeeded, 1);
    assert.ok(job.status?.conditions?.some((condition) => condition.type === 'Complete' && condition.status === 'True'));
    const [pod] = (await core.listNamespacedPod({ namespace: 'done', labelSelector: 'job-name=ok' })).items;
    assert.equal(pod?.status?.phase, 'Succeeded');
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);

    const events = await core.listNamespacedEvent({ namespace: 'done', fieldSelector: `involvedObject.name=${pod?.metadata?.name}` });
    assert.ok(events.items.length > 0);
    assert.ok(events.items.every((event) => event.involvedObject.name === pod?.metadata?.name));
    assert.ok(events.items.some((event) => event.reason === 'Started'));

    await core.deleteNamespacedPod({ namespace: 'done', name: pod!.metadata!.name! });
    await assert.rejects(core.readNamespacedPod({ namespace: 'done', name: pod!.metadata!.name! }), (error) => statusOf(error).code === 404);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met');
}
