import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMapDelta, diffMap } from '../../src/platform/delta.ts';
import { applyRunDetailsDelta, diffRunDetails, isFromRunDetails, type RunDetailsModel } from '../../src/runs/runDetailsProtocol.ts';

const base: RunDetailsModel = {
  id: 'r', name: 'n', experiment: 'e', status: 'running', startTime: 1, endTime: null, exitCode: null, command: null, host: null, pid: null, git: null,
  problemCount: 0, source: null, params: { lr: '0.1' }, tags: {}, metrics: { loss: { last: 1, step: 0, min: 1, max: 1, count: 1 } },
};

describe('deltas', () => {
  it('diffs maps into set and remove, and applying the delta reproduces the target', () => {
    const before = { a: 1, b: 2, c: 3 };
    const after = { a: 1, b: 5, d: 4 };
    const delta = diffMap(before, after);
    assert.deepEqual(delta, { set: { b: 5, d: 4 }, remove: ['c'] });
    assert.deepEqual(applyMapDelta(before, delta ?? {}), after);
    assert.equal(diffMap(after, { ...after }), undefined);
  });

  it('sends only what changed in a run, and nothing when nothing did', () => {
    const next: RunDetailsModel = { ...base, status: 'finished', endTime: 9, metrics: { ...base.metrics, acc: { last: 'NaN', step: 0, min: 'NaN', max: 'NaN', count: 1 } } };
    const delta = diffRunDetails(base, next);
    assert.deepEqual(delta, { fields: { status: 'finished', endTime: 9 }, metrics: { set: { acc: { last: 'NaN', step: 0, min: 'NaN', max: 'NaN', count: 1 } } } });
    assert.deepEqual(applyRunDetailsDelta(base, delta ?? {}), next);
    assert.equal(diffRunDetails(next, structuredClone(next)), undefined);
  });

  it('accepts only well-formed webview messages', () => {
    assert.equal(isFromRunDetails({ type: 'ready' }), true);
    assert.equal(isFromRunDetails({ type: 'openFile', file: 'metrics.jsonl' }), true);
    for (const bad of [null, 'ready', { type: 'ready', extra: 1 }, { type: 'openFile', file: '../../etc/passwd' }, { type: 'openFile' }, { type: 'runCommand', command: 'rm' }]) {
      assert.equal(isFromRunDetails(bad), false, JSON.stringify(bad));
    }
  });
});
