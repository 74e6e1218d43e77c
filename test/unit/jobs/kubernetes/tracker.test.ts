import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { submitKubernetesJob } from '../../../../src/jobs/kubernetes/submitKubernetesJob.ts';
import { readKubernetesRunState, updateKubernetesRunState, writeKubernetesRunState } from '../../../../src/jobs/kubernetes/kubernetesRunState.ts';
import { trackKubernetesLaunch } from '../../../../src/jobs/kubernetes/kubernetesTracker.ts';
import { endRunOnce } from '../../../../src/jobs/kubernetes/runEnd.ts';
import type { KubernetesRunState } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { runDir } from '../../../../src/store/layout.ts';
import type { PodStep } from '../../../k8s/podScripts.ts';
import { tempDir } from '../../../support/tempStore.ts';
import { type Cluster, type Recorded, endRecords, jsonLines, launch, podsOf, readText, runFile, startCluster, track, waitFor, within, workspace } from './kubernetesLaunch.ts';

const metric = (step: number, value: number) => JSON.stringify({ mltrail: 'metric', name: 'loss', step, value });

describe('Kubernetes launch tracker', () => {
  let cluster: Cluster;
  const scripts = new Map<string, (index: number) => PodStep[]>();
  const trackings: Recorded[] = [];

  before(async () => {
    // By the Job's name, or by the job's name in mltrail.json for a Job the submitter named.
    const scriptOf = (job: { metadata: { name: string; labels?: Record<string, string> } }) => scripts.get(job.metadata.name) ?? scripts.get(job.metadata.labels?.['mltrail/job'] ?? '');
    cluster = await startCluster({ controller: { chooseScript: ({ job, index }) => scriptOf(job)?.(index) } });
  });
  after(async () => {
    for (const recorded of trackings) recorded.tracking.stop();
    await cluster.server.stop();
  });

  const watchRequests = (resource: 'pods' | 'jobs') =>
    cluster.server.requests.filter((request) => request.query.watch === 'true' && request.path.endsWith(`/namespaces/default/${resource}`));

  it('tracks a sweep of 100 indexes with one pod watch and one Job watch; every run ends with its own logs and metrics', async () => {
    scripts.set('sweep', (index) => [{ kind: 'running', logs: [`index ${index}`, metric(1, index)] }, { kind: 'log', lines: [metric(2, index * 2)] }, { kind: 'succeeded' }]);
    const ws = workspace();
    const podWatchesBefore = watchRequests('pods').length;
    const jobWatchesBefore = watchRequests('jobs').length;
    const placement = await launch(cluster, ws, { name: 'sweep', runs: 100, gpus: 1 });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    await waitFor(() => recorded.tracking.views().every((view) => view.podName !== undefined), 'the 100 pods');
    await waitFor(() => cluster.server.openWatchCount === 2, 'the two watches open');

    await cluster.server.controller.runToEnd();
    const results = await recorded.tracking.finished;
    assert.deepEqual(results, placement.runIds.map((runId) => ({ runId, status: 'finished', exitCode: 0 })));

    const podWatches = watchRequests('pods').slice(podWatchesBefore);
    assert.equal(podWatches.length, 1, 'one pod watch for the whole launch');
    assert.equal(podWatches[0]!.query.labelSelector, `mltrail/run-id=${placement.launchId}`);
    const jobWatches = watchRequests('jobs').slice(jobWatchesBefore);
    assert.equal(jobWatches.length, 1, 'one Job watch');
    assert.equal(jobWatches[0]!.query.fieldSelector, 'metadata.name=sweep');
    await waitFor(() => cluster.server.openWatchCount === 0, 'the watches closed once every run ended');

    placement.runIds.forEach((runId, index) => {
      assert.equal(readText(runFile(ws, runId, 'logs.txt')), `index ${index}\n${metric(1, index)}\n${metric(2, index * 2)}\n`);
      assert.deepEqual(jsonLines(runFile(ws, runId, 'metrics.jsonl')).map((point) => [point.step, point.value]), [[1, index], [2, index * 2]]);
      assert.deepEqual(endRecords(ws, runId).map((end) => [end.status, end.exitCode]), [['finished', 0]]);
      const state = readKubernetesRunState(runDir(ws.storeDir, runId))!;
      assert.equal(state.phase, 'succeeded');
      assert.equal(state.index, index);
    });
    const views = recorded.tracking.views();
    assert.deepEqual(views.map((view) => view.index), placement.runIds.map((_, index) => index));
    assert.ok(views.every((view) => view.phase === 'succeeded' && view.gpus === 1 && view.exitCode === 0 && view.startedAt !== undefined && view.endedAt !== undefined));
    // A Job event naming one index's pod goes to that run only; the others concern every run.
    const events = jsonLines(runFile(ws, placement.runIds[7]!, 'events.jsonl'));
    const created = events.filter((event) => event.reason === 'SuccessfulCreate');
    assert.equal(created.length, 1);
    assert.match(created[0]!.message, /^Created pod: sweep-7-/);
    assert.ok(events.some((event) => event.reason === 'Completed' && event.object === 'Job/sweep'));
  });

  it('pushes a pod’s status change to the views within 500 ms, and saves the phase in job-state.json', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'latency', script: 'succeed' });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    const runId = placement.runIds[0]!;
    await waitFor(() => recorded.tracking.views()[0]!.podName !== undefined, 'the pod');
    assert.equal(recorded.tracking.views()[0]!.phase, 'queued');

    const changedAt = performance.now();
    cluster.server.controller.advance();
    await waitFor(() => recorded.changes.some((change) => change.views[0]!.phase === 'running'), 'running in the views');
    const seenAt = recorded.changes.find((change) => change.views[0]!.phase === 'running')!.at;
    assert.ok(seenAt - changedAt < 500, `running reached the views after ${Math.round(seenAt - changedAt)} ms`);
    assert.equal(readKubernetesRunState(runDir(ws.storeDir, runId))?.phase, 'running');

    await cluster.server.controller.runToEnd();
    await recorded.tracking.finished;
    const phases = recorded.changes.map((change) => change.views[0]!.phase).filter((phase, at, all) => phase !== all[at - 1]);
    // In order, nothing else; `starting` may pass within the same tick as `running`.
    assert.deepEqual(phases, (['queued', 'starting', 'running', 'succeeded'] as const).filter((phase) => phases.includes(phase)));
    assert.deepEqual([phases[0], phases.at(-2), phases.at(-1)], ['queued', 'running', 'succeeded']);
  });

  it('copies each cluster event into events.jsonl once, across a reload', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'events', script: 'succeed' });
    const runId = placement.runIds[0]!;
    const copied = () => jsonLines(runFile(ws, runId, 'events.jsonl'));

    const first = track(cluster, ws, placement);
    trackings.push(first);
    cluster.server.controller.advance();
    await waitFor(() => copied().some((event) => event.reason === 'Started'), 'the Started event');
    first.tracking.stop();
    await cluster.server.controller.runToEnd();

    const second = track(cluster, ws, placement);
    trackings.push(second);
    await second.tracking.finished;
    const podName = second.tracking.views()[0]!.podName!;
    const onCluster = cluster.server.store.list('events', 'default').filter((event) => [podName, 'events'].includes(event.involvedObject.name));
    const lines = copied();
    assert.equal(lines.length, onCluster.length);
    assert.deepEqual(
      lines.map((event) => `${event.object} ${event.reason} ${event.message}`).sort(),
      onCluster.map((event) => `${event.involvedObject.kind}/${event.involvedObject.name} ${event.reason} ${event.message}`).sort(),
    );
    assert.ok(lines.every((event) => typeof event.time === 'number' && event.count === 1 && (event.type === 'Normal' || event.type === 'Warning')));
    assert.ok(lines.some((event) => event.reason === 'Completed'), 'events that came while no tracker ran');
    assert.equal(readKubernetesRunState(runDir(ws.storeDir, runId))!.copiedEvents.length, onCluster.length);
  });

  it('ends the runs "killed" when the Job is deleted with Background propagation, leaving no pod', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'cancelled', runs: 3, script: 'succeed' });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    await waitFor(() => recorded.tracking.views().every((view) => view.podName !== undefined), 'the pods');
    cluster.server.controller.advance();
    await waitFor(() => recorded.tracking.views().every((view) => view.phase === 'running'), 'running');
    await waitFor(() => placement.runIds.every((runId) => readText(runFile(ws, runId, 'logs.txt')) === 'epoch 1 loss=0.9\n'), 'the logs followed');

    await cluster.batch.deleteNamespacedJob({ name: 'cancelled', namespace: 'default', propagationPolicy: 'Background' });
    const results = await recorded.tracking.finished;
    assert.deepEqual(results, placement.runIds.map((runId) => ({ runId, status: 'killed' })));
    await waitFor(() => cluster.server.store.list('pods', 'default').every((pod) => pod.metadata.labels?.['mltrail/run-id'] !== placement.launchId), 'the pods gone');
    assert.deepEqual(await podsOf(cluster, placement), []);
    for (const runId of placement.runIds) {
      assert.deepEqual(endRecords(ws, runId).map((end) => end.status), ['killed']);
      assert.equal(readKubernetesRunState(runDir(ws.storeDir, runId))?.phase, 'killed');
    }
    assert.ok(recorded.tracking.views().every((view) => view.phase === 'killed'));
  });

  it('a tracker attached after the Job was deleted meanwhile ends its runs "killed"', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'gone-meanwhile', script: 'idle' });
    await cluster.batch.deleteNamespacedJob({ name: 'gone-meanwhile', namespace: 'default', propagationPolicy: 'Background' });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    assert.deepEqual(await recorded.tracking.finished, [{ runId: placement.runIds[0], status: 'killed' }]);
  });

  it('a tracker attached to runs that have ended records nothing twice and opens no watch', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'ended', script: 'fail' });
    const first = track(cluster, ws, placement);
    trackings.push(first);
    await cluster.server.controller.runToEnd();
    const results = await first.tracking.finished;
    assert.deepEqual(results, [{ runId: placement.runIds[0], status: 'failed', exitCode: 1 }]);
    const files = ['run.jsonl', 'logs.txt', 'events.jsonl', 'metrics.jsonl'].map((name) => readText(runFile(ws, placement.runIds[0]!, name)));
    const requestsBefore = cluster.server.requests.length;

    const again = trackKubernetesLaunch({ connection: cluster.connection, storeDir: ws.storeDir, folder: ws.folder, placement });
    assert.deepEqual(await again.finished, results);
    assert.equal(again.views()[0]!.phase, 'failed');
    assert.deepEqual(['run.jsonl', 'logs.txt', 'events.jsonl', 'metrics.jsonl'].map((name) => readText(runFile(ws, placement.runIds[0]!, name))), files);
    assert.equal(cluster.server.requests.length, requestsBefore);
  });

  it('takes an end recorded meanwhile by a cancel in another process as the run’s end, and adds none', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'ended-elsewhere', script: 'succeed' });
    const runId = placement.runIds[0]!;
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    cluster.server.controller.advance();
    await waitFor(() => recorded.tracking.views()[0]!.phase === 'running', 'running');
    assert.equal(await endRunOnce(ws.storeDir, runId, { status: 'killed' }), true);
    await cluster.server.controller.runToEnd();
    assert.deepEqual(await recorded.tracking.finished, [{ runId, status: 'killed' }]);
    assert.deepEqual(endRecords(ws, runId).map((end) => end.status), ['killed']);
    assert.equal(recorded.tracking.views()[0]!.phase, 'killed');
  });

  it('tries the model registrations the pod asked for once the run has ended, and says why one failed', async () => {
    scripts.set('model', () => [{ kind: 'running', logs: [JSON.stringify({ mltrail: 'model', name: 'classifier', path: 'out/model.pt' })] }, { kind: 'succeeded' }]);
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'model' });
    const runId = placement.runIds[0]!;
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    cluster.server.controller.advance();
    await waitFor(() => JSON.parse(readText(runFile(ws, runId, 'job-state.json'))).pendingModels.length === 1, 'the model request applied from the log');
    assert.equal(readText(runFile(ws, runId, 'job-problems.txt')), '');
    await cluster.server.controller.runToEnd();
    await recorded.tracking.finished;
    const state = JSON.parse(readText(runFile(ws, runId, 'job-state.json')));
    assert.deepEqual(state.pendingModels, []);
    assert.equal(state.kubernetes.phase, 'succeeded');
    assert.match(readText(runFile(ws, runId, 'job-problems.txt')), /logs\.txt:1: model "classifier" not registered: is not declared in mltrail\.json "models"/);
  });

  it('with followLogs off, tracks status and ends the run but copies no log', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'no-logs', script: 'succeed' });
    const recorded = track(cluster, ws, placement, { followLogs: false });
    trackings.push(recorded);
    await cluster.server.controller.runToEnd();
    assert.deepEqual(await recorded.tracking.finished, [{ runId: placement.runIds[0], status: 'finished', exitCode: 0 }]);
    assert.equal(readText(runFile(ws, placement.runIds[0]!, 'logs.txt')), '');
    assert.equal(cluster.server.requests.filter((request) => request.path.endsWith('/log') && request.path.includes('no-logs')).length, 0);
  });

  it('follows a Job in the namespace of its placement, not the one of the context', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'elsewhere', script: 'succeed', namespace: 'team-a' });
    assert.equal(cluster.connection.namespace, 'default');
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    await waitFor(() => recorded.tracking.views()[0]!.podName !== undefined, 'the pod in team-a');
    await cluster.server.controller.runToEnd();
    const runId = placement.runIds[0]!;
    assert.deepEqual(await recorded.tracking.finished, [{ runId, status: 'finished', exitCode: 0 }]);
    assert.equal(readText(runFile(ws, runId, 'logs.txt')), 'epoch 1 loss=0.9\nepoch 2 loss=0.5\n');
    assert.ok(jsonLines(runFile(ws, runId, 'events.jsonl')).some((event) => event.reason === 'Started'), 'the pod events copied');
    assert.deepEqual(recorded.errors, []);
  });

  for (const exitCode of [0, 2]) {
    it(`copies the log and metrics of a pod that goes from Pending to ${exitCode === 0 ? 'Succeeded' : 'Failed'} in one status update`, async () => {
      const name = exitCode === 0 ? 'instant-success' : 'instant-failure';
      scripts.set(name, () => [{ kind: 'ran', logs: ['only line', metric(1, 0.5)], exitCode }]);
      const ws = workspace();
      const placement = await launch(cluster, ws, { name });
      const runId = placement.runIds[0]!;
      const recorded = track(cluster, ws, placement);
      trackings.push(recorded);
      await waitFor(() => recorded.tracking.views()[0]!.podName !== undefined, 'the pending pod');
      assert.equal(recorded.tracking.views()[0]!.phase, 'queued');
      cluster.server.controller.advance();
      assert.deepEqual(await recorded.tracking.finished, [{ runId, status: exitCode === 0 ? 'finished' : 'failed', exitCode }]);
      assert.equal(readText(runFile(ws, runId, 'logs.txt')), `only line\n${metric(1, 0.5)}\n`);
      assert.deepEqual(jsonLines(runFile(ws, runId, 'metrics.jsonl')).map((point) => [point.step, point.value]), [[1, 0.5]]);
      const podName = recorded.tracking.views()[0]!.podName!;
      assert.equal(readKubernetesRunState(runDir(ws.storeDir, runId))?.pods[podName]?.complete, true);
    });
  }

  it('lets each point of a sweep fail on its own: the others run to their end', async () => {
    scripts.set('points', (index) =>
      index === 1
        ? [{ kind: 'running', logs: ['point 1'] }, { kind: 'failed', exitCode: 3 }]
        : [{ kind: 'running', logs: [`point ${index}`] }, { kind: 'log', lines: [metric(1, index)] }, { kind: 'succeeded' }],
    );
    const ws = workspace();
    const job: JobDefinition = { name: 'points', command: ['python', 'train.py', '--lr', '{lr}'], params: {}, sweep: { lr: [0.1, 0.01, 0.001] }, env: {}, inputs: [], kubernetes: { image: 'img' } };
    const { placement } = await submitKubernetesJob({ connection: cluster.connection, folder: ws.folder, storeDir: ws.storeDir, job, plans: planJobRuns(job) });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    await waitFor(() => recorded.tracking.views().every((view) => view.podName !== undefined), 'the three pods');

    cluster.server.controller.advance();
    cluster.server.controller.advance();
    // Index 1 has failed while 0 and 2 still run: no replacement pod comes, the run has failed.
    await waitFor(() => recorded.tracking.views()[1]!.phase === 'failed', 'index 1 failed');
    // The diagnosis quotes the log's last lines: it is told once they are read.
    await waitFor(() => recorded.tracking.views()[1]!.diagnosis?.reason === 'Error', 'the diagnosis of index 1');
    const failedView = recorded.tracking.views()[1]!;
    assert.equal(failedView.exitCode, 3);
    assert.match(failedView.diagnosis!.message, /exited with code 3/);
    assert.match(failedView.diagnosis!.detail ?? '', /point 1$/);
    assert.deepEqual([0, 2].map((index) => recorded.tracking.views()[index]!.phase), ['running', 'running']);
    assert.equal(cluster.server.store.get('jobs', 'default', placement.jobName)!.status.failedIndexes, '1');

    await cluster.server.controller.runToEnd();
    const results = await recorded.tracking.finished;
    assert.deepEqual(results, [
      { runId: placement.runIds[0], status: 'finished', exitCode: 0 },
      { runId: placement.runIds[1], status: 'failed', exitCode: 3 },
      { runId: placement.runIds[2], status: 'finished', exitCode: 0 },
    ]);
    for (const index of [0, 2]) {
      assert.deepEqual(jsonLines(runFile(ws, placement.runIds[index]!, 'metrics.jsonl')).map((point) => point.value), [index]);
    }
    const { spec, status } = cluster.server.store.get('jobs', 'default', placement.jobName)!;
    assert.deepEqual([spec.backoffLimitPerIndex, status.completedIndexes, status.failedIndexes], [0, '0,2', '1']);
    const failed = status.conditions.find((condition: { type: string }) => condition.type === 'Failed');
    assert.deepEqual([failed?.reason, failed?.message], ['FailedIndexes', 'Job has failed indexes']);
  });

  it('reports a failure as one readable line, the client’s error as its cause', async () => {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'refused', script: 'idle' });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'fake', server: cluster.server.url, skipTLSVerify: true }, { name: 'expired', token: 'expired-token' });
    const connection = { ...cluster.connection, kubeConfig };
    const recorded = track(cluster, ws, placement, { connection });
    trackings.push(recorded);
    await waitFor(() => recorded.errors.length > 0, 'an error');
    recorded.tracking.stop();
    const [error] = recorded.errors as Error[];
    assert.ok(error instanceof Error);
    assert.equal(error.message, 'the credentials of context "fake" were rejected (expired token?): run your cluster login again');
    assert.equal((error.cause as { code?: number }).code, 401);
  });

  it('ends the run, and says why, when what comes after its end record fails', async () => {
    scripts.set('unkept', () => [{ kind: 'running', logs: [JSON.stringify({ mltrail: 'model', name: 'classifier', path: 'out/model.pt' })] }, { kind: 'succeeded' }]);
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: 'unkept' });
    const runId = placement.runIds[0]!;
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    cluster.server.controller.advance();
    await waitFor(() => JSON.parse(readText(runFile(ws, runId, 'job-state.json'))).pendingModels.length === 1, 'the model request');
    // The registration's problem report cannot be written: registering the models throws.
    fs.mkdirSync(runFile(ws, runId, 'job-problems.txt'));
    await cluster.server.controller.runToEnd();

    assert.deepEqual(await within(recorded.tracking.finished, 'the end of the run'), [{ runId, status: 'finished', exitCode: 0 }]);
    assert.deepEqual(endRecords(ws, runId).map((end) => end.status), ['finished']);
    assert.equal(recorded.tracking.views()[0]!.phase, 'succeeded');
    assert.equal(readKubernetesRunState(runDir(ws.storeDir, runId))?.phase, 'succeeded');
    assert.ok((recorded.errors as Error[]).some((error) => /EISDIR/.test(error.message)), `errors: ${recorded.errors.map(String).join('; ')}`);
  });

  it('refuses a launch with no runs', () => {
    const ws = workspace();
    assert.throws(
      () => trackKubernetesLaunch({ connection: cluster.connection, storeDir: ws.storeDir, folder: ws.folder, placement: { context: 'fake', namespace: 'default', jobName: 'x', launchId: 'x', runIds: [] } }),
      /Kubernetes launch x has no runs to track/,
    );
  });
});

describe('kubernetes section of job-state.json', () => {
  const state: KubernetesRunState = {
    placement: { context: 'c', namespace: 'n', jobName: 'j', launchId: 'l', runIds: ['r'] },
    index: 0,
    phase: 'queued',
    pods: {},
    copiedEvents: [],
  };

  it('changes the section and keeps the rest of the file as it is', () => {
    const dir = tempDir();
    const others = { logOffset: 12, logLines: 2, pendingModels: [{ name: 'm', line: 2 }], runner: { host: 'h', pid: 1 } };
    fs.writeFileSync(path.join(dir, 'job-state.json'), JSON.stringify({ ...others, kubernetes: state }));
    updateKubernetesRunState(dir, (current) => ({ ...current, phase: 'running', pods: { p: { linesAtLastTimestamp: 0, complete: false } } }));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'job-state.json'), 'utf8'));
    assert.deepEqual(saved, { ...others, kubernetes: { ...state, phase: 'running', pods: { p: { linesAtLastTimestamp: 0, complete: false } } } });
    assert.deepEqual(readKubernetesRunState(dir), saved.kubernetes);
  });

  it('reads nothing from a run without the section, and refuses to update it', () => {
    const dir = tempDir();
    assert.equal(readKubernetesRunState(dir), undefined);
    fs.writeFileSync(path.join(dir, 'job-state.json'), JSON.stringify({ logOffset: 0, kubernetes: { phase: 'running' } }));
    assert.equal(readKubernetesRunState(dir), undefined);
    assert.throws(() => updateKubernetesRunState(dir, (current) => current), /has no "kubernetes" section: the run was not submitted to Kubernetes/);
    writeKubernetesRunState(dir, state);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'job-state.json'), 'utf8')), { logOffset: 0, kubernetes: state });
  });
});
