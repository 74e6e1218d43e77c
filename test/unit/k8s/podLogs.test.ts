import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, Log } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../k8s/manifests.ts';

describe('fake API server: pod logs through client-node', () => {
  let server: FakeApiServer;
  let kubeConfig: KubeConfig;
  let batch: BatchV1Api;
  let core: CoreV1Api;
  let clock = new Date('2026-03-01T10:00:00Z');

  before(async () => {
    server = await startFakeApiServer({ now: () => clock });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(server.kubeconfigPath);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  after(() => server.stop());

  async function podOf(namespace: string, job: string): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    const [pod] = (await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` })).items;
    return pod!.metadata!.name!;
  }

  it('follows a running container: lines arrive as they are appended, the stream ends when it terminates', async () => {
    await batch.createNamespacedJob({ namespace: 'l1', body: trainingJob('follow', { script: 'succeed' }) });
    const pod = await podOf('l1', 'follow');
    server.controller.advance();

    const output = new PassThrough();
    let received = '';
    output.on('data', (chunk) => (received += chunk));
    const ended = new Promise((resolve) => output.on('finish', resolve));
    await new Log(kubeConfig).log('l1', pod, 'main', output, { follow: true });
    await until(() => received === 'epoch 1 loss=0.9\n');

    server.controller.advance();
    await until(() => received.endsWith('epoch 2 loss=0.5\n'));
    server.controller.advance();
    await ended;
    assert.equal(received, 'epoch 1 loss=0.9\nepoch 2 loss=0.5\n');
  });

  it('honors tailLines, sinceTime and timestamps', async () => {
    await batch.createNamespacedJob({ namespace: 'l2', body: trainingJob('opts', { script: 'succeed' }) });
    const pod = await podOf('l2', 'opts');
    server.controller.advance();
    clock = new Date('2026-03-01T10:00:05.5Z');
    server.controller.advance();

    const tail = await core.readNamespacedPodLog({ namespace: 'l2', name: pod, tailLines: 1 });
    assert.equal(tail, 'epoch 2 loss=0.5\n');
    const sinceSeconds = await core.readNamespacedPodLog({ namespace: 'l2', name: pod, sinceSeconds: 1 });
    assert.equal(sinceSeconds, 'epoch 2 loss=0.5\n');
    const output = new PassThrough();
    let sinceTime = '';
    output.on('data', (chunk) => (sinceTime += chunk));
    const ended = new Promise((resolve) => output.on('finish', resolve));
    await new Log(kubeConfig).log('l2', pod, 'main', output, { sinceTime: '2026-03-01T10:00:05Z' });
    await ended;
    assert.equal(sinceTime, 'epoch 2 loss=0.5\n');
    const stamped = await core.readNamespacedPodLog({ namespace: 'l2', name: pod, timestamps: true });
    assert.equal(stamped, '2026-03-01T10:00:00Z epoch 1 loss=0.9\n2026-03-01T10:00:05.5Z epoch 2 loss=0.5\n');
  });

  it('keeps the crashed run as the previous log, and refuses a container that has not started', async () => {
    await batch.createNamespacedJob({ namespace: 'l3', body: trainingJob('crash', { script: 'crash-loop' }) });
    const pod = await podOf('l3', 'crash');
    await assert.rejects(core.readNamespacedPodLog({ namespace: 'l3', name: pod }), (error) => {
      assert.ok(error instanceof ApiException);
      assert.match(JSON.parse(error.body as string).message, /is waiting to start: ContainerCreating/);
      return error.code === 400;
    });
    server.controller.advance();
    server.controller.advance();
    server.controller.advance();

    assert.equal(await core.readNamespacedPodLog({ namespace: 'l3', name: pod, previous: true }), 'Traceback (most recent call last):\nRuntimeError: CUDA error\n');
    assert.equal(await core.readNamespacedPodLog({ namespace: 'l3', name: pod }), 'retrying\n');
    const status = (await core.readNamespacedPod({ namespace: 'l3', name: pod })).status?.containerStatuses?.[0];
    assert.equal(status?.restartCount, 1);
    assert.equal(status?.lastState?.terminated?.exitCode, 1);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), 'timed out');
}
