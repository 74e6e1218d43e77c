import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSimpleYaml } from '../../../src/sources/simpleYaml.ts';

function parsed(text: string): unknown {
  const { value, problems } = parseSimpleYaml(text);
  assert.deepEqual(problems, []);
  return value;
}

describe('simple YAML', () => {
  it('reads an MLflow run meta.yaml as PyYAML safe_dump writes it', () => {
    const meta = parsed(
      [
        'artifact_uri: file:///home/alice/mlruns/0/4f2a/artifacts',
        'end_time: null',
        "entry_point_name: ''",
        "experiment_id: '0'",
        'lifecycle_stage: active',
        'run_id: 4f2a',
        "run_name: 'it''s: quoted'",
        'source_type: 4',
        'start_time: 1700000000000',
        'status: 3',
        'tags: []',
        'user_id: "alice\\tB\\u00e9"',
        '',
      ].join('\n'),
    );
    assert.deepEqual(meta, {
      artifact_uri: 'file:///home/alice/mlruns/0/4f2a/artifacts',
      end_time: null,
      entry_point_name: '',
      experiment_id: '0',
      lifecycle_stage: 'active',
      run_id: '4f2a',
      run_name: "it's: quoted",
      source_type: 4,
      start_time: 1700000000000,
      status: 3,
      tags: [],
      user_id: 'alice\tBé',
    });
  });

  it('folds a long plain or quoted scalar PyYAML wrapped over several lines', () => {
    assert.deepEqual(parsed("name: a very long experiment name that PyYAML folded\n  onto a second line\nnext: 'one\n  two'\n"), {
      name: 'a very long experiment name that PyYAML folded onto a second line',
      next: 'one two',
    });
  });

  it('reads nested mappings, indented and indentless lists, flow collections, comments and scalar types', () => {
    const value = parsed(
      [
        '# DVCLive params',
        'epochs: 10',
        'train:',
        '  lr: 0.001   # a comment',
        '  schedule: [1, 2.5, "three", {at: 4}]',
        '  betas:',
        '  - 0.9',
        '  - 0.999',
        'layers:',
        '    - size: 64',
        '      act: relu',
        '    - size: 32',
        'flags: {fast: true, seed: ~, tag: "#not-a-comment"}',
        'rates: [.inf, -.Inf, .5, +3, 1e3, 0o17, yes]',
        'empty:',
        'bool: False',
      ].join('\n'),
    );
    assert.deepEqual(value, {
      epochs: 10,
      train: { lr: 0.001, schedule: [1, 2.5, 'three', { at: 4 }], betas: [0.9, 0.999] },
      layers: [
        { size: 64, act: 'relu' },
        { size: 32 },
      ],
      flags: { fast: true, seed: null, tag: '#not-a-comment' },
      rates: [Infinity, -Infinity, 0.5, 3, 1000, '0o17', 'yes'],
      empty: null,
      bool: false,
    });
  });

  it('keeps __proto__ and constructor as plain keys', () => {
    const value = parsed('__proto__: 1\nconstructor:\n  __proto__: 2\n') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 1);
    assert.ok(Object.hasOwn(value.constructor as object, '__proto__'));
  });

  it('reads CRLF line ends, a BOM and a document start', () => {
    assert.deepEqual(parsed('\uFEFF---\r\na: 1\r\nb:\r\n- x\r\n'), { a: 1, b: ['x'] });
  });

  it('reports what it does not read, at its line, and reads the rest', () => {
    const { value, problems } = parseSimpleYaml(
      ['a: 1', 'script: |', '  echo hi', 'ref: *anchor', '\tb: 2', 'c: [1, 2', 'no colon here', 'd: "unterminated', 'e: 5', '---', 'f: 6'].join('\n'),
    );
    assert.deepEqual(value, { a: 1, e: 5 });
    assert.deepEqual(
      problems.map((problem) => problem.line),
      [2, 4, 5, 6, 7, 8, 10],
    );
    assert.match(problems[0]?.message ?? '', /block scalars/);
    assert.match(problems[1]?.message ?? '', /anchors, aliases and tags/);
    assert.match(problems[2]?.message ?? '', /tab/);
    assert.match(problems[6]?.message ?? '', /only the first YAML document/);
  });

  it('never throws, even on nesting no tracker writes', () => {
    const { value, problems } = parseSimpleYaml(`a: ${'['.repeat(100_000)}`);
    assert.equal(value, null);
    assert.match(problems[0]?.message ?? '', /cannot read this YAML/);
  });

  it('reads nothing from an empty or comment-only text', () => {
    assert.equal(parsed(''), null);
    assert.equal(parsed('# nothing\n\n'), null);
  });
});
