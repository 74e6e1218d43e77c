import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnoseRun, runPhase } from '../../../../src/jobs/kubernetes/diagnosis.ts';
import type { DiagnosisReason, KubernetesRunView } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { readKubernetesRunState } from '../../../../src/jobs/kubernetes/kubernetesRunState.ts';
import { runDir } from '../../../../src/store/layout.ts';
import { insufficientGpuMessage, type PodScriptName } from '../../../k8s/podScripts.ts';
import { type Cluster, type LaunchOptions, type Recorded, type Workspace, endRecords, jsonLines, launch, runFile, startCluster, track, waitFor, workspace } from './kubernetesLaunch.ts';

describe('diagnosis of Kubernetes runs, driven by the fake cluster', () => {
  let cluster: Cluster;
  const trackings: Recorded[] = [];

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    for (const recorded of trackings) recorded.tracking.stop();
    await cluster.server.stop();
  });

  let launches = 0;
  /** Launches a one-run Job whose pod follows `script`, tracked, and waits until the tracker knows its pod. */
  async function tracked(script: PodScriptName, options: Partial<LaunchOptions> = {}) {
    const ws = workspace();
    const placement = await launch(cluster, ws, { name: `diag-${++launches}`, script, ...options });
    const recorded = track(cluster, ws, placement);
    trackings.push(recorded);
    const runId = placement.runIds[0]!;
    const view = () => recorded.tracking.views()[0]!;
    if (!options.suspend) await waitFor(() => view().podName !== undefined, 'the pod');
    return { ws, runId, recorded, view };
  }

  async function diagnosed(view: () => KubernetesRunView, reason: DiagnosisReason) {
    await waitFor(() => view().diagnosis?.reason === reason, `a ${reason} diagnosis (now ${JSON.stringify(view().diagnosis)})`);
    return view().diagnosis!;
  }

  function savedDiagnosis(ws: Workspace, runId: string) {
    return readKubernetesRunState(runDir(ws.storeDir, runId))?.diagnosis;
  }

  it('Unschedulable: quotes the scheduler, hints at GPUs, run queued', async () => {
    const { ws, runId, recorded, view } = await tracked('unschedulable');
    cluster.server.controller.advance();
    const diagnosis = await diagnosed(view, 'Unschedulable');
    assert.equal(diagnosis.message, insufficientGpuMessage);
    assert.match(diagnosis.hint!, /resources\.gpus/);
    assert.equal(view().phase, 'queued');
    assert.deepEqual(savedDiagnosis(ws, runId), diagnosis);
    assert.deepEqual(recorded.diagnoses.map((announced) => announced.diagnosis?.reason), ['Unschedulable']);
    await waitFor(() => jsonLines(runFile(ws, runId, 'events.jsonl')).some((event) => event.reason === 'FailedScheduling'), 'the FailedScheduling event copied');
  });

  it('ErrImagePull, then ImagePullBackOff: names the image and quotes the kubelet, run starting', async () => {
    const { recorded, view } = await tracked('image-pull-backoff');
    cluster.server.controller.advance();
    const pull = await diagnosed(view, 'ErrImagePull');
    assert.match(pull.message, /^Cannot pull image "pytorch\/pytorch:2\.5": rpc error: code = NotFound desc = failed to pull and unpack image/);
    assert.match(pull.hint!, /kubernetes\.image/);
    assert.equal(view().phase, 'starting');
    cluster.server.controller.advance();
    const backOff = await diagnosed(view, 'ImagePullBackOff');
    assert.equal(backOff.message, 'Cannot pull image "pytorch/pytorch:2.5": Back-off pulling image "pytorch/pytorch:2.5"');
    assert.deepEqual(recorded.diagnoses.map((announced) => announced.diagnosis?.reason), ['ErrImagePull', 'ImagePullBackOff']);
  });

  it('OOMKilled: exit code 137 and the memory limit, hint to raise resources.memory; the run fails with 137', async () => {
    const { ws, runId, recorded, view } = await tracked('oom-killed', { gpus: 1 });
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'failed', exitCode: 137 });
    const diagnosis = view().diagnosis!;
    assert.equal(diagnosis.reason, 'OOMKilled', 'the pod’s own reason wins over the Job’s BackoffLimitExceeded');
    assert.equal(diagnosis.message, 'Container "main" was killed for using more memory than its limit (16Gi): exit code 137');
    assert.match(diagnosis.hint!, /resources\.memory/);
    assert.deepEqual(endRecords(ws, runId).map((end) => [end.status, end.exitCode]), [['failed', 137]]);
    assert.equal(view().gpus, 1);
  });

  it('CrashLoopBackOff: quotes the tail of the previous container’s log, announced once across restarts', async () => {
    const { recorded, view } = await tracked('crash-loop');
    cluster.server.controller.advance();
    cluster.server.controller.advance();
    const diagnosis = await diagnosed(view, 'CrashLoopBackOff');
    assert.equal(diagnosis.message, 'Container "main" keeps crashing (exit code 1)');
    assert.match(diagnosis.detail!, /restarted 1 times\. Last 2 log lines:\nTraceback \(most recent call last\):\nRuntimeError: CUDA error$/);
    const tailRequest = cluster.server.requests.find((request) => request.path.endsWith(`/pods/${view().podName}/log`) && request.query.previous === 'true');
    assert.equal(tailRequest?.query.tailLines, '20');
    assert.equal(view().phase, 'running');

    cluster.server.controller.advance();
    cluster.server.controller.advance();
    await waitFor(() => /restarted 2 times\. Last 1 log lines:\nretrying$/.test(view().diagnosis?.detail ?? ''), 'the second crash’s tail');
    assert.deepEqual(recorded.diagnoses.map((announced) => announced.diagnosis?.reason), ['CrashLoopBackOff']);
    assert.match(recorded.diagnoses[0]!.diagnosis!.detail!, /RuntimeError: CUDA error/, 'announced with its log tail');
  });

  it('Error: the exit code and the tail of the failed container’s log; the run fails with its exit code', async () => {
    const { ws, runId, recorded, view } = await tracked('fail');
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'failed', exitCode: 1 });
    const diagnosis = view().diagnosis!;
    assert.equal(diagnosis.reason, 'Error');
    assert.equal(diagnosis.message, 'Container "main" exited with code 1');
    assert.match(diagnosis.detail!, /Last 1 log lines:\nstarting$/);
    const tailRequest = cluster.server.requests.find((request) => request.path.endsWith(`/pods/${view().podName}/log`) && request.query.tailLines === '20');
    assert.equal(tailRequest?.query.previous, 'false');
    assert.deepEqual(endRecords(ws, runId).map((end) => end.exitCode), [1]);
  });

  it('Evicted: quotes the kubelet’s message', async () => {
    const { runId, recorded, view } = await tracked('evicted');
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'failed', exitCode: 137 });
    const diagnosis = view().diagnosis!;
    assert.equal(diagnosis.reason, 'Evicted');
    assert.match(diagnosis.message, /^The node was low on resource: memory\. Threshold quantity: 100Mi/);
  });

  it('DeadlineExceeded: from the Job’s Failed condition; the run fails', async () => {
    const { ws, runId, recorded, view } = await tracked('deadline-exceeded');
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'failed' });
    assert.deepEqual(view().diagnosis, {
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
      hint: 'Raise kubernetes.activeDeadlineSeconds in the job definition, or make the run shorter.',
    });
    assert.equal(view().phase, 'failed');
    assert.deepEqual(endRecords(ws, runId).map((end) => [end.status, end.exitCode]), [['failed', undefined]]);
  });

  it('BackoffLimitExceeded: from the Job’s Failed condition when no pod says more', async () => {
    const { runId, recorded, view } = await tracked('backoff-limit-exceeded');
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.equal(result!.runId, runId);
    assert.equal(result!.status, 'failed');
    assert.equal(view().diagnosis?.reason, 'BackoffLimitExceeded');
    assert.equal(view().diagnosis?.message, 'Job has reached the specified backoff limit');
  });

  it('KueueSuspended: queued while Kueue holds the Job, cleared once admitted; the run then finishes', async () => {
    const { runId, recorded, view } = await tracked('succeed', { suspend: true, queue: 'team-gpus' });
    const diagnosis = await diagnosed(view, 'KueueSuspended');
    assert.equal(diagnosis.message, 'Waiting for Kueue to admit the Job from queue "team-gpus"');
    assert.equal(view().phase, 'queued');
    assert.equal(view().podName, undefined);

    cluster.server.controller.unsuspend('default', recorded.tracking.views()[0]!.placement.jobName);
    await waitFor(() => view().podName !== undefined, 'the pod after admission');
    await cluster.server.controller.runToEnd();
    const [result] = await recorded.tracking.finished;
    assert.deepEqual(result, { runId, status: 'finished', exitCode: 0 });
    assert.equal(view().diagnosis, undefined);
    assert.equal(view().phase, 'succeeded');
  });

  it('a Job suspended without the Kueue label is queued with no diagnosis', async () => {
    const { view } = await tracked('succeed', { suspend: true });
    await waitFor(() => cluster.server.store.list('jobs', 'default').some((job) => job.status?.conditions?.some((condition: { type: string }) => condition.type === 'Suspended')), 'the Job suspended');
    await waitFor(() => view().phase === 'queued', 'queued');
    assert.equal(view().diagnosis, undefined);
  });
});

describe('diagnosis: the rules behind the cases', () => {
  it('quotes a FailedScheduling event when the pod carries no PodScheduled message', () => {
    const pod = { metadata: { name: 'p' }, status: { phase: 'Pending' } };
    const events = [
      { reason: 'FailedScheduling', message: '0/2 nodes are available: 2 node(s) didn\'t match Pod\'s node affinity/selector.', lastTimestamp: '2026-03-01T10:00:01Z' },
      { reason: 'FailedScheduling', message: 'older', lastTimestamp: '2026-03-01T10:00:00Z' },
    ];
    const diagnosis = diagnoseRun({ index: 0, pod, events });
    assert.equal(diagnosis?.reason, 'Unschedulable');
    assert.equal(diagnosis?.message, events[0]!.message);
    assert.doesNotMatch(diagnosis!.hint!, /gpus/);
    assert.equal(runPhase({ index: 0, pod, events }), 'queued');
  });

  it('reads the phase of each index of an Indexed Job from completedIndexes and the Job’s conditions', () => {
    const job = { status: { completedIndexes: '0-2,5', conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((index) => runPhase({ index, job })), ['succeeded', 'succeeded', 'succeeded', 'failed', 'failed', 'succeeded']);
    assert.equal(runPhase({ index: 3, job, jobGone: true }), 'killed');
    assert.equal(runPhase({ index: 0, pod: { status: { phase: 'Pending' }, spec: { nodeName: 'n1' } } }), 'starting');
    assert.equal(runPhase({ index: 0, pod: { status: { phase: 'Running' } }, podGone: true }), 'queued');
  });

  it('reads an index that failed for good from failedIndexes while the Job goes on (backoffLimitPerIndex)', () => {
    const job = { status: { completedIndexes: '0', failedIndexes: '1,3' } };
    const failedPod = {
      metadata: { name: 'sweep-1-abcde' },
      spec: { nodeName: 'n1', containers: [{ name: 'main' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 3, reason: 'Error' } } }] },
    };
    assert.equal(runPhase({ index: 1, job, pod: failedPod }), 'failed');
    assert.equal(runPhase({ index: 1, job: { status: {} }, pod: failedPod }), 'starting', 'a failed pod whose index goes on is replaced');
    assert.equal(runPhase({ index: 2, job }), 'queued');
    assert.deepEqual(diagnoseRun({ index: 1, job, pod: failedPod }), {
      reason: 'Error',
      message: 'Container "main" exited with code 3',
      detail: 'Pod sweep-1-abcde',
      hint: 'The last lines of the log say why the job failed.',
    });
    // The pod gone (a TTL, a cleanup): the Job's status still tells why the run ended.
    assert.equal(runPhase({ index: 3, job }), 'failed');
    assert.equal(diagnoseRun({ index: 3, job })?.reason, 'BackoffLimitExceeded');
    assert.match(diagnoseRun({ index: 3, job })!.message, /^Index 3 of the Job has reached its backoff limit$/);
  });

  it('says nothing about a healthy pod', () => {
    const pod = { metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'main' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'main', state: { running: { startedAt: '2026-03-01T10:00:00Z' } } }] } };
    assert.equal(diagnoseRun({ index: 0, pod }), undefined);
    assert.equal(runPhase({ index: 0, pod }), 'running');
  });
});
