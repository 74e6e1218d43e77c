import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedRecord, applyRunLine, emptyRunRecordState, parseMetricLine } from '../../src/runs/records.ts';

function fold(...lines: unknown[]) {
  const state = emptyRunRecordState();
  for (const line of lines) applyRunLine(state, JSON.stringify(line));
  return state;
}

describe('run records', () => {
  it('folds start, params, tags and end, later values winning and maps merging', () => {
    const state = fold(
      { type: 'start', time: '2026-03-01T10:00:00Z', experiment: 'baseline', name: 'first', command: ['python', 'train.py'], host: 'h', pid: 42, git: { commit: 'abc', branch: 'main', dirty: true } },
      { type: 'params', values: { lr: 0.01, epochs: 10 } },
      { type: 'params', values: { lr: 0.02, batch: 32 } },
      { type: 'tags', values: { team: 'vision' } },
      { type: 'start', name: 'renamed' },
      { type: 'end', time: 1772362800000, status: 'failed', exitCode: 3 },
    );
    assert.deepEqual(state, {
      experiment: 'baseline',
      name: 'renamed',
      startTime: Date.parse('2026-03-01T10:00:00Z'),
      command: ['python', 'train.py'],
      host: 'h',
      pid: 42,
      git: { commit: 'abc', branch: 'main', dirty: true },
      params: { lr: 0.02, epochs: 10, batch: 32 },
      tags: { team: 'vision' },
      endStatus: 'failed',
      endTime: 1772362800000,
      exitCode: 3,
    });
  });

  it('ignores unknown record types and unknown fields', () => {
    const state = fold({ type: 'start', name: 'n', future: { x: 1 } }, { type: 'checkpoint', path: 'a.pt' });
    assert.deepEqual(state, { name: 'n', params: {}, tags: {} });
  });

  it('collects input records: the dataset versions a run read, each once', () => {
    const state = fold({ type: 'input', dataset: 'train', version: 3 }, { type: 'input', dataset: 'labels' }, { type: 'input', dataset: 'train', version: 3 }, { type: 'input', dataset: 'train', version: 4 });
    assert.deepEqual(state.inputs, [{ dataset: 'train', version: 3 }, { dataset: 'labels' }, { dataset: 'train', version: 4 }]);
    assert.throws(() => fold({ type: 'input', version: 3 }), /needs a string "dataset"/);
    assert.throws(() => fold({ type: 'input', dataset: 'train', version: 0 }), /"version" must be a positive integer/);
  });

  it('derives the end status from the exit code when the end record has none', () => {
    assert.equal(fold({ type: 'end', exitCode: 0 }).endStatus, 'finished');
    assert.equal(fold({ type: 'end', exitCode: 2 }).endStatus, 'failed');
    assert.equal(fold({ type: 'end' }).endStatus, 'finished');
  });

  for (const [label, line, message] of [
    ['invalid JSON', '{"type":"start",', /not valid JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['no type', '{"name":"x"}', /missing "type"/],
    ['a numeric experiment', '{"type":"start","experiment":5}', /"experiment" must be a string/],
    ['a bad time', '{"type":"start","time":"yesterday"}', /"time" must be/],
    ['a negative pid', '{"type":"start","pid":-1}', /"pid"/],
    ['params without values', '{"type":"params"}', /needs an object "values"/],
    ['params with an array', '{"type":"params","values":[1]}', /"values" must be an object/],
    ['an unknown status', '{"type":"end","status":"exploded"}', /"status" must be one of/],
    ['a fractional exit code', '{"type":"end","exitCode":1.5}', /"exitCode"/],
    ['a command of numbers', '{"type":"start","command":[1,2]}', /"command"/],
  ] as const) {
    it(`rejects ${label} and leaves the state unchanged`, () => {
      const state = fold({ type: 'start', name: 'kept' });
      const before = structuredClone(state);
      assert.throws(() => applyRunLine(state, line), (error: unknown) => error instanceof MalformedRecord && message.test(error.message));
      assert.deepEqual(state, before);
    });
  }
});

describe('metric lines', () => {
  it('parses numbers, null and the non-finite strings', () => {
    assert.deepEqual(parseMetricLine('{"name":"val/loss","step":12,"value":0.31,"time":"2026-01-01T00:00:00Z"}'), {
      name: 'val/loss',
      step: 12,
      value: 0.31,
      time: Date.parse('2026-01-01T00:00:00Z'),
    });
    assert.ok(Number.isNaN(parseMetricLine('{"name":"a","step":1,"value":null}').value));
    assert.ok(Number.isNaN(parseMetricLine('{"name":"a","step":1,"value":"NaN"}').value));
    assert.equal(parseMetricLine('{"name":"a","step":1,"value":"Infinity"}').value, Infinity);
    assert.equal(parseMetricLine('{"name":"a","step":1,"value":"-Infinity"}').value, -Infinity);
    assert.equal(parseMetricLine('{"name":"a","value":1}').step, undefined);
  });

  for (const line of ['{"step":1,"value":1}', '{"name":"","value":1}', '{"name":"a","value":"high"}', '{"name":"a","value":true}', '{"name":"a","step":"3","value":1}', '{"name":"a","value":1,"time":"soon"}']) {
    it(`rejects ${line}`, () => assert.throws(() => parseMetricLine(line), MalformedRecord));
  }
});
