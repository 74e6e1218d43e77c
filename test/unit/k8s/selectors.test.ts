import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFieldSelector, parseLabelSelector } from '../../k8s/selectors.ts';

describe('label and field selectors', () => {
  const labels = { app: 'train', tier: 'gpu', 'job-name': 'a' };

  it('matches equality, inequality, set and existence requirements together', () => {
    assert.equal(parseLabelSelector('app=train,tier in (gpu, tpu),!missing,job-name')(labels), true);
    assert.equal(parseLabelSelector('app==train,tier notin (gpu)')(labels), false);
    assert.equal(parseLabelSelector('app!=train')(labels), false);
    assert.equal(parseLabelSelector('missing')(labels), false);
    assert.equal(parseLabelSelector(null)(undefined), true);
  });

  it('rejects a requirement it cannot parse with a 400', () => {
    assert.throws(() => parseLabelSelector('app in (x'), (error: { code: number }) => error.code === 400);
  });

  it('reads dotted field paths', () => {
    const event = { involvedObject: { name: 'pod-1', kind: 'Pod' }, type: 'Warning' };
    assert.equal(parseFieldSelector('involvedObject.name=pod-1,type!=Normal')(event), true);
    assert.equal(parseFieldSelector('involvedObject.kind=Job')(event), false);
  });
});
