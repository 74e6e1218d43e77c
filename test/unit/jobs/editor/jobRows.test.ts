import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type JobRow, type JobRunFacts, describeJobRow, diffJobRows, groupJobRows, jobRow, jobRowDuration } from '../../../../src/jobs/editor/jobRows.ts';
import type { KubernetesPlacement, KubernetesRunState, KubernetesRunView } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import type { RunStatus } from '../../../../src/runs/records.ts';
import type { RunSummary } from '../../../../src/runs/runSummary.ts';

const placement: KubernetesPlacement = { context: 'gpu-cluster', namespace: 'ml', jobName: 'train-abc', launchId: 'L1', runIds: ['r1'] };

function summary(status: RunStatus, extra: Partial<RunSummary> = {}): RunSummary {
  return { id: 'r1', experiment: 'default', name: 'train lr=0.1', status, metrics: {}, params: {}, tags: { job: 'train' }, startTime: 1_000, ...extra };
}

function view(extra: Partial<KubernetesRunView>): KubernetesRunView {
  return { runId: 'r1', placement, index: 0, phase: 'running', gpus: 2, ...extra };
}

function saved(extra: Partial<KubernetesRunState>): KubernetesRunState {
  return { placement, index: 0, phase: 'queued', pods: {}, copiedEvents: [], ...extra };
}

const facts = (extra: Partial<JobRunFacts>): JobRunFacts => ({ runId: 'r1', job: 'train', ...extra });

describe('job rows', () => {
  it('shows a local run as the store says: running, then its end record, with the GPUs its start record lists', () => {
    const running = jobRow(facts({ run: summary('running'), start: { backend: 'local', gpus: 1 } }));
    assert.deepEqual([running.state, running.backend, running.gpus, running.startedAt], ['running', 'local', 1, 1_000]);
    const ended = jobRow(facts({ run: summary('failed', { endTime: 4_000, exitCode: 3 }), start: { backend: 'local' } }));
    assert.deepEqual([ended.state, ended.endedAt, ended.exitCode, ended.gpus], ['failed', 4_000, 3, 0]);
  });

  it('refines a running Kubernetes run by its phase: the live view first, else the state saved in job-state.json', () => {
    const start = { backend: 'kubernetes' as const, context: 'gpu-cluster' };
    assert.equal(jobRow(facts({ run: summary('running'), start, kubernetes: saved({ phase: 'queued' }) })).state, 'queued');
    assert.equal(jobRow(facts({ run: summary('running'), start, kubernetes: saved({ phase: 'queued' }), view: view({ phase: 'starting' }) })).state, 'starting');
    assert.equal(jobRow(facts({ run: summary('running'), start, view: view({ phase: 'succeeded' }) })).state, 'finished');
    assert.equal(jobRow(facts({ run: summary('running'), start, view: view({ phase: 'killed' }) })).state, 'killed');
  });

  it('lets the end record win over a view that has not caught up', () => {
    const row = jobRow(facts({ run: summary('killed', { endTime: 9_000 }), view: view({ phase: 'running' }) }));
    assert.equal(row.state, 'killed');
    assert.equal(row.endedAt, 9_000);
  });

  it('shows a run only the tracker knows yet under its plan name, with the GPUs its pod asks for and its diagnosis', () => {
    const diagnosis = { reason: 'Unschedulable' as const, message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' };
    const row = jobRow(facts({ name: 'train lr=0.3', view: view({ phase: 'queued', diagnosis }) }));
    assert.deepEqual([row.name, row.state, row.backend, row.context, row.gpus, row.diagnosis], ['train lr=0.3', 'queued', 'kubernetes', 'gpu-cluster', 2, diagnosis]);
    assert.equal(row.placement, placement);
  });

  it('takes the context of a finished Kubernetes run from its start record and its GPUs from the job when nothing else says', () => {
    const row = jobRow(facts({ run: summary('finished', { endTime: 5_000 }), start: { backend: 'kubernetes', context: 'prod' }, requestedGpus: 4 }));
    assert.deepEqual([row.backend, row.context, row.gpus, row.placement], ['kubernetes', 'prod', 4, undefined]);
  });

  it('counts a Kubernetes run from when its container started, a queued one from its launch', () => {
    const started = jobRow(facts({ run: summary('running', { startTime: 1_000 }), view: view({ phase: 'running', startedAt: 3_000 }) }));
    assert.equal(jobRowDuration(started, 10_000), 7_000);
    const queued = jobRow(facts({ run: summary('running', { startTime: 1_000 }), view: view({ phase: 'queued' }) }));
    assert.equal(jobRowDuration(queued, 10_000), 9_000);
    const ended = jobRow(facts({ run: summary('finished', { startTime: 1_000, endTime: 61_000 }), view: view({ phase: 'succeeded', startedAt: 2_000 }) }));
    assert.equal(jobRowDuration(ended, 999_999), 59_000);
  });

  it('describes a row with its state, backend, GPUs, duration and diagnosis', () => {
    const row = jobRow(facts({ run: summary('running', { startTime: 0 }), view: view({ phase: 'running', startedAt: 0, diagnosis: { reason: 'CrashLoopBackOff', message: 'back-off' } }) }));
    assert.equal(describeJobRow(row, 185_000), 'running · k8s gpu-cluster · 2× GPU · 3m 05s · CrashLoopBackOff');
    const failed = jobRow(facts({ run: summary('failed', { startTime: 0, endTime: 2_000, exitCode: 137 }), start: { backend: 'local' } }));
    assert.equal(describeJobRow(failed, 10_000), 'failed (exit 137) · local · 2s');
  });

  it('groups rows Running, Queued and Finished, newest first, keeping the 50 most recently ended', () => {
    const row = (runId: string, state: JobRow['state'], time: number): JobRow => ({ runId, name: runId, job: 'train', state, backend: 'local', gpus: 0, submittedAt: time, ...(state === 'finished' ? { endedAt: time + 10 } : {}) });
    const finished = Array.from({ length: 60 }, (_, at) => row(`f${at}`, 'finished', at * 100));
    const grouped = groupJobRows([row('r-old', 'running', 1), row('s', 'starting', 5), row('q', 'queued', 3), row('r-new', 'running', 9), ...finished]);
    assert.deepEqual(grouped.running.map((r) => r.runId), ['r-new', 's', 'r-old']);
    assert.deepEqual(grouped.queued.map((r) => r.runId), ['q']);
    assert.equal(grouped.finished.length, 50);
    assert.equal(grouped.finished[0]?.runId, 'f59');
    assert.equal(grouped.finished.at(-1)?.runId, 'f10');
  });

  describe('which rows to draw again', () => {
    const rowOf = (runId: string, extra: Partial<JobRow> = {}): [string, JobRow] => [runId, { runId, name: runId, job: 'train', state: 'running', backend: 'kubernetes', gpus: 1, submittedAt: 1_000, startedAt: 2_000, ...extra }];
    const before = new Map([rowOf('a'), rowOf('b', { startedAt: 3_000 }), rowOf('c', { state: 'finished', endedAt: 9_000 })]);

    it('nothing when only metrics changed (the rows look the same)', () => {
      assert.deepEqual(diffJobRows(before, new Map([...before].map(([key, row]) => [key, { ...row }]))), { regroup: false, changed: [] });
    });

    it('only the rows whose phase or diagnosis changed, while no row moves', () => {
      const after = new Map(before);
      after.set('a', { ...before.get('a')!, diagnosis: { reason: 'Evicted', message: 'node drained' } });
      after.set('c', { ...before.get('c')!, name: 'renamed' });
      assert.deepEqual(diffJobRows(before, after), { regroup: false, changed: ['a', 'c'] });
    });

    it('the groups when a row comes, goes, changes group or moves in its group', () => {
      assert.equal(diffJobRows(before, new Map([...before, rowOf('d')])).regroup, true);
      assert.equal(diffJobRows(before, new Map([...before].filter(([key]) => key !== 'b'))).regroup, true);
      assert.equal(diffJobRows(before, new Map([...before, ['a', { ...before.get('a')!, state: 'queued' as const }]])).regroup, true);
      assert.equal(diffJobRows(before, new Map([...before, ['a', { ...before.get('a')!, state: 'finished' as const, endedAt: 10_000 }]])).regroup, true);
      assert.equal(diffJobRows(before, new Map([...before, ['a', { ...before.get('a')!, startedAt: 4_000 }]])).regroup, true, 'now the newest running');
    });
  });
});
