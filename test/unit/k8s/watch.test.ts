import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../k8s/manifests.ts';

interface WatchEvent {
  type: string;
  object: any;
}

/** A client-node watch that collects its events and reports how it ended. */
async function openWatch(kubeConfig: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: WatchEvent[] = [];
  let resolveDone!: (error: unknown) => void;
  const done = new Promise<unknown>((resolve) => (resolveDone = resolve));
  const controller = await new Watch(kubeConfig).watch(path, query, (type, object) => events.push({ type, object }), resolveDone);
  return { events, done, abort: () => controller.abort() };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

describe('fake API server: watch through client-node', () => {
  let server: FakeApiServer;
  let kubeConfig: KubeConfig;
  let batch: BatchV1Api;

  before(async () => {
    server = await startFakeApiServer();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(server.kubeconfigPath);
    batch = kubeConfig.makeApiClient(BatchV1Api);
  });
  after(() => server.stop());

  it('sees ADDED, MODIFIED and DELETED for the pod of a Job walking to Succeeded', async () => {
    const watch = await openWatch(kubeConfig, '/api/v1/namespaces/w1/pods', { labelSelector: 'job-name=walk' });
    await batch.createNamespacedJob({ namespace: 'w1', body: trainingJob('walk', { script: 'succeed' }) });
    await server.controller.runToEnd();
    await batch.deleteNamespacedJob({ namespace: 'w1', name: 'walk', propagationPolicy: 'Background' });
    await until(() => watch.events.some((event) => event.type === 'DELETED'), 'DELETED');
    watch.abort();

    const phases = watch.events.map((event) => `${event.type}:${event.object.status.phase}`);
    assert.equal(phases[0], 'ADDED:Pending');
    assert.ok(phases.includes('MODIFIED:Running'));
    assert.equal(phases.at(-2), 'MODIFIED:Succeeded');
    assert.equal(phases.at(-1), 'DELETED:Succeeded');
    const versions = watch.events.map((event) => Number(event.object.metadata.resourceVersion));
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
  });

  it('resumed from a resourceVersion, replays exactly the changes after it', async () => {
    await batch.createNamespacedJob({ namespace: 'w2', body: trainingJob('resume', { script: 'succeed' }) });
    const live = await openWatch(kubeConfig, '/api/v1/namespaces/w2/pods', {});
    await until(() => live.events.length === 1, 'the pod ADDED');
    const resumeFrom = live.events[0]!.object.metadata.resourceVersion;
    await server.controller.runToEnd();
    await until(() => live.events.at(-1)?.object.status.phase === 'Succeeded', 'Succeeded');
    live.abort();

    const resumed = await openWatch(kubeConfig, '/api/v1/namespaces/w2/pods', { resourceVersion: resumeFrom });
    await until(() => resumed.events.length === live.events.length - 1, 'the missed events');
    await new Promise((resolve) => setTimeout(resolve, 20));
    resumed.abort();
    const summary = (events: WatchEvent[]) => events.map((event) => `${event.type}@${event.object.metadata.resourceVersion}`);
    assert.deepEqual(summary(resumed.events), summary(live.events.slice(1)));
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired, then closes', async () => {
    await batch.createNamespacedJob({ namespace: 'w3', body: trainingJob('old', { script: 'idle' }) });
    const before = String(server.store.resourceVersion);
    await batch.createNamespacedJob({ namespace: 'w3', body: trainingJob('newer', { script: 'idle' }) });
    server.store.compactHistory();

    const watch = await openWatch(kubeConfig, '/apis/batch/v1/namespaces/w3/jobs', { resourceVersion: String(Number(before) - 1) });
    assert.equal(await watch.done, null);
    assert.equal(watch.events.length, 1);
    assert.equal(watch.events[0]!.type, 'ERROR');
    assert.deepEqual([watch.events[0]!.object.code, watch.events[0]!.object.reason, watch.events[0]!.object.kind], [410, 'Expired', 'Status']);
  });

  it('sends BOOKMARK events carrying the current resourceVersion when allowed', async () => {
    server.setBookmarkInterval(10);
    const watch = await openWatch(kubeConfig, '/apis/batch/v1/namespaces/w4/jobs', { allowWatchBookmarks: true, resourceVersion: String(server.store.resourceVersion) });
    await until(() => watch.events.filter((event) => event.type === 'BOOKMARK').length >= 2, 'two bookmarks');
    watch.abort();
    const bookmark = watch.events.find((event) => event.type === 'BOOKMARK')!;
    assert.equal(bookmark.object.kind, 'Job');
    assert.equal(bookmark.object.metadata.resourceVersion, String(server.store.resourceVersion));
    server.setBookmarkInterval(60_000);
  });

  it('ends every open watch when the server disconnects them (done is called)', async () => {
    const first = await openWatch(kubeConfig, '/apis/batch/v1/namespaces/w5/jobs', {});
    const second = await openWatch(kubeConfig, '/api/v1/namespaces/w5/pods', {});
    await until(() => server.openWatchCount >= 2, 'two open watches');
    assert.ok(server.disconnectWatches() >= 2);
    assert.equal(await first.done, null);
    assert.equal(await second.done, null);

    const abrupt = await openWatch(kubeConfig, '/apis/batch/v1/namespaces/w5/jobs', {});
    await until(() => server.openWatchCount >= 1, 'an open watch');
    server.disconnectWatches({ abrupt: true });
    assert.ok(await abrupt.done, 'an abrupt disconnect reports an error');
  });

  it('closes a watch after timeoutSeconds', async () => {
    const watch = await openWatch(kubeConfig, '/apis/batch/v1/namespaces/w6/jobs', { timeoutSeconds: 0.05 });
    assert.equal(await watch.done, null);
  });
});
