import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatParamInput, formatSweepValues, parseParamInput, parseSweepValues } from '../../../../src/jobs/editor/paramInput.ts';

describe('param input', () => {
  it('reads JSON as JSON and anything else as trimmed text, and writes values back the same way', () => {
    assert.equal(parseParamInput(' 0.01 '), 0.01);
    assert.equal(parseParamInput('true'), true);
    assert.deepEqual(parseParamInput('[1, 2]'), [1, 2]);
    assert.equal(parseParamInput(' adam '), 'adam');
    assert.equal(parseParamInput('"0.1"'), '0.1');
    for (const value of [0.001, false, 'sgd', [64, 128], { depth: 3 }]) assert.deepEqual(parseParamInput(formatParamInput(value)), value);
  });

  it('reads a sweep as a comma list or a JSON list', () => {
    assert.deepEqual(parseSweepValues('0.001, 0.01,0.1'), [0.001, 0.01, 0.1]);
    assert.deepEqual(parseSweepValues('adam, sgd ,'), ['adam', 'sgd']);
    assert.deepEqual(parseSweepValues('[[1, 2], [3]]'), [[1, 2], [3]]);
    assert.throws(() => parseSweepValues(' , '), /at least one value/);
  });

  it('writes a sweep so that reading it gives the same values, as a JSON list when a value holds a comma', () => {
    assert.equal(formatSweepValues([0.001, 0.01]), '0.001, 0.01');
    assert.equal(formatSweepValues([[1, 2], [3]]), '[[1,2],[3]]');
    for (const values of [[0.1, 'adam', true], [[1, 2], [3]], ['a,b', 'c']]) assert.deepEqual(parseSweepValues(formatSweepValues(values)), values);
  });
});
