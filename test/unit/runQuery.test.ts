import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFilter, groupByExperiment, isFilterActive, isRunFilter, isRunSort, keyMetricOf, matchesFilter, sortRuns } from '../../src/runs/runQuery.ts';
import type { RunSummary } from '../../src/runs/runSummary.ts';

function run(id: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return { id, experiment: 'e', name: id, status: 'finished', params: {}, tags: {}, metrics: {}, ...overrides };
}

const metric = (last: number) => ({ last, step: 0, min: last, max: last, count: 1 });

describe('run queries', () => {
  it('filters by experiments, statuses and text in names, params and tags', () => {
    const a = run('a', { experiment: 'x', status: 'running', params: { optimizer: 'AdamW' } });
    const b = run('b', { experiment: 'y', tags: { owner: 'Grace' } });
    assert.equal(matchesFilter(a, { experiments: ['x'] }), true);
    assert.equal(matchesFilter(b, { experiments: ['x'] }), false);
    assert.equal(matchesFilter(a, { statuses: ['failed', 'running'] }), true);
    assert.equal(matchesFilter(b, { statuses: ['running'] }), false);
    assert.equal(matchesFilter(a, { text: 'adamw' }), true);
    assert.equal(matchesFilter(b, { text: 'grace' }), true);
    assert.equal(matchesFilter(b, { text: 'optimizer' }), false);
    assert.equal(matchesFilter(a, { experiments: ['x'], text: 'nothing' }), false);
  });

  it('describes and detects an active filter', () => {
    assert.equal(isFilterActive({}), false);
    assert.equal(isFilterActive({ text: '  ' }), false);
    assert.equal(describeFilter({ experiments: ['x'], statuses: ['lost'], text: 'lr' }), 'experiment: x · status: lost · "lr"');
  });

  it('picks the configured key metric, else the first one', () => {
    const r = run('r', { metrics: { 'train/loss': metric(1), 'val/acc': metric(0.9) } });
    assert.equal(keyMetricOf(r)?.name, 'train/loss');
    assert.equal(keyMetricOf(r, 'val/acc')?.summary.last, 0.9);
    assert.equal(keyMetricOf(r, 'missing'), undefined);
    assert.equal(keyMetricOf(r, 'constructor'), undefined, 'an inherited member is not a metric');
  });

  it('sorts newest first with unknown start times last, and by key metric ignoring NaN', () => {
    const runs = [run('old', { startTime: 1 }), run('none'), run('new', { startTime: 3 }), run('mid', { startTime: 2 })];
    assert.deepEqual(sortRuns([...runs], { key: 'started', descending: true }).map((r) => r.id), ['new', 'mid', 'old', 'none']);
    assert.deepEqual(sortRuns([...runs], { key: 'started', descending: false }).map((r) => r.id), ['old', 'mid', 'new', 'none']);
    const scored = [run('nan', { metrics: { m: metric(Number.NaN) } }), run('low', { metrics: { m: metric(0.1) } }), run('high', { metrics: { m: metric(0.9) } })];
    assert.deepEqual(sortRuns(scored, { key: 'metric', descending: true }).map((r) => r.id), ['high', 'low', 'nan']);
    const statuses = [run('f'), run('r', { status: 'running' }), run('l', { status: 'lost' })];
    assert.deepEqual(sortRuns(statuses, { key: 'status', descending: false }).map((r) => r.id), ['r', 'l', 'f']);
  });

  it('groups by experiment in name order', () => {
    const groups = groupByExperiment([run('1', { experiment: 'b' }), run('2', { experiment: 'a' }), run('3', { experiment: 'b' })]);
    assert.deepEqual([...groups].map(([name, runs]) => [name, runs.map((r) => r.id)]), [['a', ['2']], ['b', ['1', '3']]]);
  });

  it('accepts sort and filter arguments only in their documented shapes', () => {
    assert.equal(isRunSort({ key: 'metric', descending: false }), true);
    for (const bad of [undefined, null, 'name', { key: 'size', descending: true }, { key: 'name' }]) assert.equal(isRunSort(bad), false, JSON.stringify(bad));
    assert.equal(isRunFilter({}), true);
    assert.equal(isRunFilter({ statuses: ['failed', 'lost'], experiments: ['a'], text: 'lr' }), true);
    for (const bad of [null, [], 'failed', { statuses: ['exploded'] }, { statuses: 'failed' }, { experiments: [1] }, { text: 3 }, { colour: 'red' }]) {
      assert.equal(isRunFilter(bad), false, JSON.stringify(bad));
    }
  });
});

