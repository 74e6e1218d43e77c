import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { PodLogCursor } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { readKubernetesRunState } from '../../../../src/jobs/kubernetes/kubernetesRunState.ts';
import { copyPodLog } from '../../../../src/jobs/kubernetes/podLogCopier.ts';
import { runDir } from '../../../../src/store/layout.ts';
import type { PodStep } from '../../../k8s/podScripts.ts';
import { type Cluster, type Recorded, endRecords, jsonLines, launch, readText, runFile, startCluster, track, waitFor, workspace } from './kubernetesLaunch.ts';

/** A protocol line as a training script prints it. */
const metric = (step: number, value: number) => JSON.stringify({ mltrail: 'metric', name: 'loss', step, value });

describe('pod logs of Kubernetes runs', () => {
  let cluster: Cluster;
  /** Pod scripts by Job name, then by attempt. */
  const scripts = new Map<string, PodStep[][]>();
  const trackings: Recorded[] = [];
  let clock: Date | undefined;

  before(async () => {
    cluster = await startCluster({
      now: () => clock ?? new Date(),
      controller: { chooseScript: ({ job, attempt }) => scripts.get(job.metadata.name)?.[attempt] },
    });
  });
  after(async () => {
    for (const recorded of trackings) recorded.tracking.stop();
    await cluster.server.stop();
  });

  function logRequests(podName: string | undefined) {
    return cluster.server.requests.filter((request) => request.path.endsWith(`/pods/${podName}/log`) && request.query.follow === 'true');
  }

  it('follows the log as the container prints: timestamps stripped, into logs.txt and onLog, metrics applied live', async () => {
    scripts.set('live', [[{ kind: 'running', logs: ['epoch 1', metric(1, 0.9)] }, { kind: 'log', lines: ['epoch 2', metric(2, 0.5)] }, { kind: 'succeeded' }]]);
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'live' });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    const runId = placement.runIds[0]!;
    const logs = () => readText(runFile(ws, runId, 'logs.txt'));
    const metrics = () => jsonLines(runFile(ws, runId, 'metrics.jsonl')).map((point) => [point.step, point.value]);

    cluster.server.controller.advance();
    await waitFor(() => logs() === `epoch 1\n${metric(1, 0.9)}\n`, 'the first lines');
    await waitFor(() => metrics().length === 1, 'the first metric, before the run ends');
    assert.equal(recorded.tracking.views()[0]!.phase, 'running');
    cluster.server.controller.advance();
    await waitFor(() => logs().endsWith(`epoch 2\n${metric(2, 0.5)}\n`), 'the lines printed later');
    cluster.server.controller.advance();
    await recorded.tracking.finished;

    assert.equal(logs(), `epoch 1\n${metric(1, 0.9)}\nepoch 2\n${metric(2, 0.5)}\n`);
    assert.equal(recorded.logs.get(runId), logs());
    assert.deepEqual(metrics(), [[1, 0.9], [2, 0.5]]);
    const podName = recorded.tracking.views()[0]!.podName!;
    assert.equal(logRequests(podName)[0]!.query.timestamps, 'true');
    assert.deepEqual(readKubernetesRunState(runDir(ws.storeDir, runId))?.pods[podName]?.complete, true);
  });

  for (const abrupt of [false, true]) {
    it(`resumes without duplicates after the log stream ${abrupt ? 'is cut' : 'ends early'}, lines sharing one timestamp`, async () => {
      // Every line carries the same timestamp: only the count of lines at the last timestamp tells them apart.
      clock = new Date('2026-03-01T10:00:00.250Z');
      try {
        const name = abrupt ? 'cut' : 'premature';
        const batches = [0, 1, 2, 3].map((batch) => [0, 1, 2].map((line) => `batch ${batch} line ${line}`));
        scripts.set(name, [[{ kind: 'running', logs: batches[0] }, ...batches.slice(1).map((lines): PodStep => ({ kind: 'log', lines })), { kind: 'succeeded' }]]);
        const ws = workspace();
        const placement = await launch(cluster, ws, { name });
        const recorded = track(cluster, ws, placement);
        trackings.push(recorded);
        const runId = placement.runIds[0]!;
        const logs = () => readText(runFile(ws, runId, 'logs.txt'));
        const expected = (count: number) => batches.slice(0, count).flat().map((line) => line + '\n').join('');

        cluster.server.controller.advance();
        await waitFor(() => logs() === expected(1), 'the first batch');
        const podName = recorded.tracking.views()[0]!.podName!;
        for (let batch = 1; batch < batches.length; batch++) {
          const requestsBefore = logRequests(podName).length;
          await waitFor(() => cluster.server.disconnectLogs({ abrupt }) === 1, 'an open log stream to drop');
          await waitFor(() => logRequests(podName).length > requestsBefore, 'the log followed again');
          cluster.server.controller.advance();
          await waitFor(() => logs() === expected(batch + 1), `batch ${batch}`);
        }
        cluster.server.controller.advance();
        await recorded.tracking.finished;
        assert.equal(logs(), expected(batches.length));
        const resumed = logRequests(podName).slice(1);
        assert.ok(resumed.length >= batches.length - 1);
        assert.ok(resumed.every((request) => request.query.sinceTime === '2026-03-01T10:00:00Z'), 'resumed from the last timestamp, to the second');
        const cursor: PodLogCursor | undefined = readKubernetesRunState(runDir(ws.storeDir, runId))?.pods[podName];
        assert.deepEqual(cursor, { lastTimestamp: '2026-03-01T10:00:00.25Z', linesAtLastTimestamp: 12, complete: true });
      } finally {
        clock = undefined;
      }
    });
  }

  it('a second tracker over the same store after a reload copies the rest: no line and no metric twice', async () => {
    const steps: PodStep[] = [{ kind: 'running', logs: ['start', metric(1, 1)] }];
    for (let step = 2; step <= 6; step++) steps.push({ kind: 'log', lines: [`step ${step}`, metric(step, 1 / step)] });
    steps.push({ kind: 'succeeded' });
    scripts.set('reload', [steps]);
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'reload' });
    const runId = placement.runIds[0]!;
    const logs = () => readText(runFile(ws, runId, 'logs.txt'));

    const first = track(cluster, ws, placement);
    trackings.push(first);
    cluster.server.controller.advance();
    cluster.server.controller.advance();
    await waitFor(() => logs().includes(metric(2, 0.5)), 'the first lines copied');
    first.tracking.stop();
    // The window is gone while the job goes on printing.
    cluster.server.controller.advance();
    cluster.server.controller.advance();

    const second = track(cluster, ws, placement);
    trackings.push(second);
    await waitFor(() => logs().includes(metric(4, 0.25)), 'the lines printed while no tracker ran');
    cluster.server.controller.advance();
    cluster.server.controller.advance();
    cluster.server.controller.advance();
    const [result] = await second.tracking.finished;
    assert.equal(result!.status, 'finished');

    const expectedLines = ['start', metric(1, 1), ...[2, 3, 4, 5, 6].flatMap((step) => [`step ${step}`, metric(step, 1 / step)])];
    assert.equal(logs(), expectedLines.map((line) => line + '\n').join(''));
    assert.deepEqual(
      jsonLines(runFile(ws, runId, 'metrics.jsonl')).map((point) => point.step),
      [1, 2, 3, 4, 5, 6],
    );
    assert.equal(endRecords(ws, runId).length, 1);
  });

  it('copies every pod of a run (retries), with a line naming the pod before the second one’s log', async () => {
    scripts.set('retried', [
      [{ kind: 'running', logs: ['try 1', metric(1, 9)] }, { kind: 'failed', exitCode: 3 }],
      [{ kind: 'running', logs: ['try 2', metric(1, 1)] }, { kind: 'succeeded' }],
    ]);
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'retried', backoffLimit: 1 });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    const runId = placement.runIds[0]!;
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'finished', exitCode: 0 });

    const pods = Object.keys(readKubernetesRunState(runDir(ws.storeDir, runId))!.pods);
    assert.equal(pods.length, 2);
    const second = recorded.tracking.views()[0]!.podName!;
    assert.ok(pods.includes(second));
    assert.equal(readText(runFile(ws, runId, 'logs.txt')), `try 1\n${metric(1, 9)}\n----- pod ${second} -----\ntry 2\n${metric(1, 1)}\n`);
    assert.equal(jsonLines(runFile(ws, runId, 'metrics.jsonl')).length, 2);
  });

  it('keeps the lines of a log whose timestamps go back (stdout and stderr interleaved), and resumes after them', async () => {
    const namespace = 'interleaved';
    const pod = 'interleaved-pod';
    await cluster.core.createNamespacedPod({ namespace, body: { metadata: { name: pod }, spec: { containers: [{ name: 'main', image: 'img' }] } } });
    const { logs } = cluster.server;
    logs.start(namespace, pod, 'main');
    const at = (fraction: string) => new Date(`2026-03-01T10:00:00.${fraction}Z`);
    logs.append(namespace, pod, 'main', 'stdout 1', at('300'));
    logs.append(namespace, pod, 'main', 'stderr 1', at('100'));
    logs.append(namespace, pod, 'main', 'stdout 2', at('400'));
    logs.append(namespace, pod, 'main', 'stderr 2', at('200'));
    logs.append(namespace, pod, 'main', 'stdout 3', at('400'));
    logs.terminate(namespace, pod, 'main');

    const copyFrom = async (cursor: PodLogCursor) => {
      let text = '';
      const final = await copyPodLog({
        kubeConfig: cluster.kubeConfig,
        namespace,
        pod,
        container: 'main',
        cursor,
        onLines: (lines) => (text += lines),
        containerTerminated: () => true,
        podExists: () => true,
      }).done;
      return { text, final };
    };
    const whole = await copyFrom({ linesAtLastTimestamp: 0, complete: false });
    assert.equal(whole.text, 'stdout 1\nstderr 1\nstdout 2\nstderr 2\nstdout 3\n');
    // The newest timestamp, and the two lines that carry it.
    assert.deepEqual(whole.final, { lastTimestamp: '2026-03-01T10:00:00.4Z', linesAtLastTimestamp: 2, complete: true });

    // Copied up to "stdout 1" before a reload: the replay skips what is not newer than it, then keeps everything.
    const resumed = await copyFrom({ lastTimestamp: '2026-03-01T10:00:00.3Z', linesAtLastTimestamp: 1, complete: false });
    assert.equal(resumed.text, 'stdout 2\nstderr 2\nstdout 3\n');
    // Copied up to "stderr 2": the older lines and the one line at the cursor's timestamp are not copied again.
    const nearEnd = await copyFrom({ lastTimestamp: '2026-03-01T10:00:00.4Z', linesAtLastTimestamp: 1, complete: false });
    assert.equal(nearEnd.text, 'stdout 3\n');
  });

  it('holds a line split across chunks until its end arrives', async () => {
    const chunks = ['2026-03-01T10:00:00.1Z first\n2026-03-01T10:00:00.2Z sec', 'ond half\n2026-03-01T10:00:01Z no newline at the end'];
    const log = http.createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.write(chunks[0]);
      setTimeout(() => response.end(chunks[1]), 30);
      request.resume();
    });
    await new Promise<void>((resolve) => log.listen(0, '127.0.0.1', resolve));
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromClusterAndUser({ name: 'split', server: `http://127.0.0.1:${(log.address() as AddressInfo).port}`, skipTLSVerify: true }, { name: 'user' });

      const deliveries: Array<{ text: string; cursor: PodLogCursor }> = [];
      const copy = copyPodLog({
        kubeConfig,
        namespace: 'default',
        pod: 'split',
        container: 'main',
        cursor: { linesAtLastTimestamp: 0, complete: false },
        onLines: (text, cursor) => deliveries.push({ text, cursor }),
        containerTerminated: () => true,
        podExists: () => true,
      });
      const cursor = await copy.done;
      // The last line is complete once the container has ended and its log with it.
      assert.deepEqual(deliveries.map((delivery) => delivery.text), ['first\n', 'second half\n', 'no newline at the end\n']);
      assert.deepEqual(deliveries[0]!.cursor, { lastTimestamp: '2026-03-01T10:00:00.1Z', linesAtLastTimestamp: 1, complete: false });
      assert.deepEqual(deliveries[1]!.cursor, { lastTimestamp: '2026-03-01T10:00:00.2Z', linesAtLastTimestamp: 1, complete: false });
      assert.deepEqual(cursor, { lastTimestamp: '2026-03-01T10:00:01Z', linesAtLastTimestamp: 1, complete: true });
    } finally {
      log.closeAllConnections();
      await new Promise((resolve) => log.close(resolve));
    }
  });
});
