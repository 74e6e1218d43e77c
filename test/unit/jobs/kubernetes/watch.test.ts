import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ResilientWatch, type ResilientWatchOptions, type WatchChange, plainObjects, startResilientWatch } from '../../../../src/jobs/kubernetes/resilientWatch.ts';
import type { FakeApiServerOptions } from '../../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../../k8s/manifests.ts';
import { type Cluster, startCluster, waitFor } from './kubernetesLaunch.ts';

interface Pod {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; labels?: Record<string, string> };
  status?: { phase?: string };
}

interface Seen {
  change: WatchChange;
  name: string;
  phase: string | undefined;
  resourceVersion: number;
}

/** A resilient watch of the pods of one namespace with label `app=train`, recording what it delivers. */
function watchPods(cluster: Cluster, namespace: string, extra: Partial<ResilientWatchOptions<Pod>> = {}) {
  const seen: Seen[] = [];
  const errors: unknown[] = [];
  const labelSelector = 'app=train';
  const watch = startResilientWatch<Pod>({
    kubeConfig: cluster.kubeConfig,
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector,
    list: async () => {
      const list = await cluster.core.listNamespacedPod({ namespace, labelSelector });
      return { items: plainObjects<Pod>(list.items), resourceVersion: list.metadata?.resourceVersion };
    },
    onChange: (change, pod) => seen.push({ change, name: pod.metadata.name, phase: pod.status?.phase, resourceVersion: Number(pod.metadata.resourceVersion) }),
    onError: (error) => errors.push(error),
    ...extra,
  });
  return { watch, seen, errors };
}

function watchRequests(cluster: Cluster, namespace: string) {
  return cluster.server.requests.filter((request) => request.path === `/api/v1/namespaces/${namespace}/pods` && request.query.watch === 'true');
}

/** Live events carry increasing resourceVersions: a replayed or duplicated event would break the order. */
function assertNoDuplicates(seen: Seen[]): void {
  const versions = seen.map((event) => event.resourceVersion);
  assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), 'each change is delivered once, in order');
}

async function withCluster(options: FakeApiServerOptions, test: (cluster: Cluster) => Promise<void>): Promise<void> {
  const cluster = await startCluster(options);
  try {
    await test(cluster);
  } finally {
    await cluster.server.stop();
  }
}

describe('resilient watch', () => {
  let cluster: Cluster;
  const open: ResilientWatch[] = [];

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    for (const watch of open) watch.stop();
    await cluster.server.stop();
  });

  it('lists, then watches with bookmarks allowed from the list resourceVersion', async () => {
    await cluster.batch.createNamespacedJob({ namespace: 'w1', body: trainingJob('listed', { script: 'succeed' }) });
    await waitFor(() => cluster.server.store.list('pods', 'w1').length === 1, 'the pod');
    const versionAtList = String(cluster.server.store.resourceVersion);
    const { watch, seen } = watchPods(cluster, 'w1');
    open.push(watch);
    await watch.synced;
    assert.deepEqual(seen.map((event) => `${event.change}:${event.phase}`), ['ADDED:Pending']);
    await waitFor(() => watchRequests(cluster, 'w1').length === 1, 'the watch request');
    const request = watchRequests(cluster, 'w1')[0]!;
    assert.equal(request.query.resourceVersion, versionAtList);
    assert.equal(request.query.allowWatchBookmarks, 'true');
    assert.equal(request.query.labelSelector, 'app=train');

    await cluster.server.controller.runToEnd();
    await waitFor(() => seen.at(-1)?.phase === 'Succeeded', 'Succeeded');
    assertNoDuplicates(seen);
    watch.stop();
  });

  for (const abrupt of [false, true]) {
    it(`reconnects from the last resourceVersion seen after ${abrupt ? 'an abrupt' : 'a clean'} server-side disconnect`, async () => {
      const namespace = abrupt ? 'w2b' : 'w2a';
      const { watch, seen, errors } = watchPods(cluster, namespace, { initialBackoffMs: 20 });
      open.push(watch);
      await watch.synced;
      await cluster.batch.createNamespacedJob({ namespace, body: trainingJob('walk', { script: 'succeed' }) });
      await waitFor(() => seen.length === 1, 'the pod ADDED');
      const lastSeen = String(seen[0]!.resourceVersion);

      assert.equal(cluster.server.disconnectWatches({ abrupt }) >= 1, true);
      await waitFor(() => watch.reconnects === 1, 'a reconnect');
      await waitFor(() => watchRequests(cluster, namespace).length === 2, 'the second watch request');
      assert.equal(watchRequests(cluster, namespace)[1]!.query.resourceVersion, lastSeen);
      assert.equal(watch.relists, 0);

      await cluster.server.controller.runToEnd();
      await waitFor(() => seen.at(-1)?.phase === 'Succeeded', 'the changes after the reconnect');
      assertNoDuplicates(seen);
      assert.deepEqual(seen.map((event) => event.change), ['ADDED', ...seen.slice(1).map(() => 'MODIFIED')]);
      if (abrupt) assert.ok(errors.length >= 1, 'a dropped connection is reported');
      else assert.deepEqual(errors, []);
      watch.stop();
    });
  }

  it('resumes from the resourceVersion of the last BOOKMARK', async () => {
    const { watch, seen } = watchPods(cluster, 'w3');
    open.push(watch);
    await watch.synced;
    // A change elsewhere moves the global resourceVersion on; only a bookmark tells this watch about it.
    await cluster.batch.createNamespacedJob({ namespace: 'elsewhere', body: trainingJob('other', { script: 'idle' }) });
    const moved = String(cluster.server.store.resourceVersion);
    assert.notEqual(watch.resourceVersion, moved);
    cluster.server.setBookmarkInterval(10);
    try {
      await waitFor(() => watch.resourceVersion === moved, 'a bookmark');
    } finally {
      cluster.server.setBookmarkInterval(60_000);
    }
    cluster.server.disconnectWatches();
    await waitFor(() => watchRequests(cluster, 'w3').length === 2, 'the reconnect');
    assert.equal(watchRequests(cluster, 'w3')[1]!.query.resourceVersion, moved);
    assert.deepEqual(seen, []);
    watch.stop();
  });

  it('restarts after client-node aborts a silent watch for inactivity, without reporting an error', async () => {
    const { watch, seen, errors } = watchPods(cluster, 'w4', { idleTimeoutMs: 100 });
    open.push(watch);
    await watch.synced;
    await waitFor(() => watch.reconnects >= 2, 'two restarts after the idle timeout');
    assert.deepEqual(errors, []);
    assert.equal(watch.relists, 0);
    await cluster.batch.createNamespacedJob({ namespace: 'w4', body: trainingJob('late', { script: 'idle' }) });
    await waitFor(() => seen.length === 1, 'a change after the restarts');
    assert.equal(seen[0]!.change, 'ADDED');
    watch.stop();
  });

  it('relists after 410 Gone and delivers what changed meanwhile, deletions included', async () => {
    await withCluster({ historyLimit: 3 }, async (small) => {
      await small.batch.createNamespacedJob({ namespace: 'w5', body: trainingJob('stays', { script: 'idle' }) });
      await small.batch.createNamespacedJob({ namespace: 'w5', body: trainingJob('goes', { script: 'idle' }) });
      await waitFor(() => small.server.store.list('pods', 'w5').length === 2, 'two pods');
      const { watch, seen } = watchPods(small, 'w5', { initialBackoffMs: 1000 });
      try {
        await watch.synced;
        await waitFor(() => small.server.openWatchCount === 1, 'the open watch');
        assert.equal(seen.length, 2);
        const [stays, goes] = ['stays', 'goes'].map((job) => small.server.store.list('pods', 'w5').find((pod) => pod.metadata.name.startsWith(job))!);

        small.server.disconnectWatches({ abrupt: true });
        await waitFor(() => small.server.openWatchCount === 0, 'the watch dropped');
        // While the watch waits to reconnect, more changes than the history holds.
        small.server.store.delete('pods', 'w5', goes!.metadata.name);
        for (let i = 0; i < 4; i++) small.server.store.mutate('pods', 'w5', stays!.metadata.name, (pod) => (pod.metadata.annotations = { touched: String(i) }));
        await small.batch.createNamespacedJob({ namespace: 'w5', body: trainingJob('new', { script: 'idle' }) });

        await waitFor(() => watch.relists === 1, 'a relist');
        await waitFor(() => seen.length === 5, 'the resync');
        const resync = seen.slice(2).map((event) => `${event.change}:${event.name.split('-')[0]}`).sort();
        assert.deepEqual(resync, ['ADDED:new', 'DELETED:goes', 'MODIFIED:stays']);
        // First watch, the one answered 410, then the watch from the relist's resourceVersion.
        await waitFor(() => watchRequests(small, 'w5').length === 3, 'the watch after the relist');
        assert.equal(watchRequests(small, 'w5')[2]!.query.resourceVersion, String(small.server.store.resourceVersion));
        assert.equal(watch.relists, 1);
      } finally {
        watch.stop();
      }
    });
  });

  it('backs off exponentially while the cluster cannot be listed, up to the cap, and recovers', async () => {
    const attempts: number[] = [];
    const { watch, seen, errors } = watchPods(cluster, 'w6', {
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      list: async () => {
        attempts.push(performance.now());
        if (attempts.length <= 5) throw new Error('connect ECONNREFUSED');
        const list = await cluster.core.listNamespacedPod({ namespace: 'w6' });
        return { items: plainObjects<Pod>(list.items), resourceVersion: list.metadata?.resourceVersion };
      },
    });
    open.push(watch);
    await watch.synced;
    assert.equal(attempts.length, 6);
    assert.equal(errors.length, 5);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // 20, 40, 80, 80, 80 ms: doubling, then capped.
    assert.ok(gaps[0]! >= 18 && gaps[1]! >= 38 && gaps[2]! >= 78, `gaps ${gaps.join(', ')}`);
    assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `gaps grow: ${gaps.join(', ')}`);
    assert.ok(gaps.slice(3).every((gap) => gap < 78 * 2), `gaps stay under the cap: ${gaps.join(', ')}`);
    await cluster.batch.createNamespacedJob({ namespace: 'w6', body: trainingJob('recovered', { script: 'idle' }) });
    await waitFor(() => seen.length === 1, 'events once recovered');
    watch.stop();
  });

  it('stop() closes the connection and delivers nothing more', async () => {
    const { watch, seen, errors } = watchPods(cluster, 'w7');
    await watch.synced;
    await waitFor(() => watchRequests(cluster, 'w7').length === 1 && cluster.server.openWatchCount >= 1, 'the open watch');
    watch.stop();
    // Every watch of the earlier tests was stopped too.
    await waitFor(() => cluster.server.openWatchCount === 0, 'the connection closed');
    await cluster.batch.createNamespacedJob({ namespace: 'w7', body: trainingJob('unseen', { script: 'idle' }) });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, []);
    assert.deepEqual(errors, []);
    assert.equal(watchRequests(cluster, 'w7').length, 1);
  });
});
