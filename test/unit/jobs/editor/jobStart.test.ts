import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readJobStart } from '../../../../src/jobs/editor/jobStart.ts';
import { jsonl, tempDir, writeRunFiles } from '../../../support/tempStore.ts';

describe('job start records', () => {
  it('reads a local run: the GPUs nvidia-smi listed', () => {
    const store = tempDir();
    const dir = writeRunFiles(store, 'r1', { run: jsonl({ type: 'start', name: 'train', gpus: [{ index: 0, name: 'H100' }, { index: 1, name: 'H100' }] }, { type: 'params', values: { lr: 1 } }) });
    assert.deepEqual(readJobStart(dir), { backend: 'local', gpus: 2 });
  });

  it('reads a Kubernetes run: its backend and context', () => {
    const store = tempDir();
    const dir = writeRunFiles(store, 'r1', { run: jsonl({ type: 'start', backend: 'kubernetes', kubernetes: { context: 'gpu-cluster', namespace: 'ml', job: 'train-x', index: 0 } }) });
    assert.deepEqual(readJobStart(dir), { backend: 'kubernetes', context: 'gpu-cluster' });
  });

  it('passes over lines that are not a start record, and says nothing while there is none', () => {
    const store = tempDir();
    const dir = writeRunFiles(store, 'r1', { run: jsonl('not json', { type: 'params', values: {} }, { type: 'start' }) });
    assert.deepEqual(readJobStart(dir), { backend: 'local' });
    assert.equal(readJobStart(writeRunFiles(store, 'r2', { run: jsonl({ type: 'params', values: {} }) })), undefined);
    assert.equal(readJobStart(path.join(store, 'runs', 'missing')), undefined);
  });
});
