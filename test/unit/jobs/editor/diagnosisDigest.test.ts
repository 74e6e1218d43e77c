import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DiagnosisDigest, type DiagnosisNotice, GATHER_MS, WAIT_NOTICE_MS, noticeMessage } from '../../../../src/jobs/editor/diagnosisDigest.ts';
import type { Diagnosis, KubernetesPhase, KubernetesPlacement, KubernetesRunView } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';

const UNSCHEDULABLE: Diagnosis = { reason: 'Unschedulable', message: '0/4 nodes are available: 4 Insufficient nvidia.com/gpu.', hint: 'Lower resources.gpus.' };
const OOM: Diagnosis = { reason: 'OOMKilled', message: 'the container ran out of memory' };

function placement(launchId: string, runIds: string[]): KubernetesPlacement {
  return { launchId, runIds, context: 'gpu', namespace: 'ml', jobName: `mltrail-${launchId}` };
}

describe('diagnosis digest', () => {
  let shown: DiagnosisNotice[];
  let live: Map<string, KubernetesRunView>;
  let digest: DiagnosisDigest;
  const sweep = placement('launch-1', Array.from({ length: 100 }, (_, index) => `run-${index}`));
  const view = (runId: string, phase: KubernetesPhase, diagnosis?: Diagnosis, where = sweep): KubernetesRunView => {
    const created: KubernetesRunView = { runId, placement: where, index: 0, phase, gpus: 1, ...(diagnosis ? { diagnosis } : {}) };
    live.set(runId, created);
    return created;
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    shown = [];
    live = new Map();
    digest = new DiagnosisDigest({ show: (notice) => shown.push(notice), current: (runId) => live.get(runId) });
  });
  afterEach(() => {
    digest.dispose();
    mock.timers.reset();
  });

  it('tells a sweep stuck on a full cluster once, counting its runs, after the wait', () => {
    for (const runId of sweep.runIds) digest.add(view(runId, 'queued', UNSCHEDULABLE));
    mock.timers.tick(WAIT_NOTICE_MS - 1);
    assert.equal(shown.length, 0, 'not before the state lasted');
    mock.timers.tick(1);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.runIds.length, 100);
    assert.equal(shown[0]!.going, true);
    assert.equal(noticeMessage(shown[0]!, { run: (runId) => `name of ${runId}`, job: () => 'train' }), 'MLTrail: 100 runs of sweep train: Unschedulable: 0/4 nodes are available: 4 Insufficient nvidia.com/gpu. Lower resources.gpus.');
    for (const runId of sweep.runIds) digest.add(view(runId, 'queued', UNSCHEDULABLE));
    mock.timers.tick(WAIT_NOTICE_MS * 2);
    assert.equal(shown.length, 1, 'told once per launch and reason');
  });

  it('says nothing about a Kueue job admitted before the wait is over, and counts only the runs still waiting', () => {
    digest.add(view('run-0', 'queued', { reason: 'KueueSuspended', message: 'waiting for quota' }));
    view('run-0', 'running');
    mock.timers.tick(WAIT_NOTICE_MS);
    assert.equal(shown.length, 0);

    digest.add(view('run-1', 'queued', UNSCHEDULABLE));
    digest.add(view('run-2', 'queued', UNSCHEDULABLE));
    view('run-1', 'starting');
    mock.timers.tick(WAIT_NOTICE_MS);
    assert.deepEqual(shown.map((notice) => notice.runIds), [['run-2']]);
    assert.equal(noticeMessage(shown[0]!, { run: (runId) => `train ${runId}`, job: () => 'train' }), `MLTrail: train run-2: Unschedulable: ${UNSCHEDULABLE.message} ${UNSCHEDULABLE.hint}`);
  });

  it('tells failures after a moment to gather the runs that share them, apart per launch and reason', () => {
    const other = placement('launch-2', ['solo']);
    digest.add(view('run-0', 'failed', OOM));
    digest.add(view('run-1', 'failed', OOM));
    digest.add(view('solo', 'failed', OOM, other));
    mock.timers.tick(GATHER_MS);
    assert.deepEqual(
      shown.map((notice) => [notice.launchId, notice.diagnosis.reason, notice.runIds, notice.going]),
      [
        ['launch-1', 'OOMKilled', ['run-0', 'run-1'], false],
        ['launch-2', 'OOMKilled', ['solo'], false],
      ],
    );
  });

  it('does not tell again what job-state.json says the user saw before', () => {
    digest.markSeen('launch-1', 'OOMKilled');
    digest.add(view('run-0', 'failed', OOM));
    digest.add(view('run-1', 'queued', UNSCHEDULABLE));
    mock.timers.tick(WAIT_NOTICE_MS);
    assert.deepEqual(shown.map((notice) => notice.diagnosis.reason), ['Unschedulable']);
  });
});
