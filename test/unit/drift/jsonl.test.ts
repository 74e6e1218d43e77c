import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CategoricalColumn, NumericColumn } from '../../../src/drift/table/csv.ts';
import { MAX_LINE_LENGTH, readJsonl } from '../../../src/drift/table/jsonl.ts';

const labels = (column: CategoricalColumn) => [...column.codes].map((code) => (code < 0 ? null : column.dictionary[code]));

test('objects become columns: numbers, categories (nested values as JSON), null and absent keys missing', () => {
  const table = readJsonl('\uFEFF{"n": 1, "c": "a"}\r\n{"n": 2.5, "c": {"k": [1]}}\n\n{"c": null, "extra": true}\n');
  assert.equal(table.rows, 3);
  assert.deepEqual(table.problems, []);
  const [n, c, extra] = table.columns as [NumericColumn, CategoricalColumn, CategoricalColumn];
  assert.deepEqual([n.name, c.name, extra.name], ['n', 'c', 'extra']);
  assert.deepEqual([...n.values].map(String), ['1', '2.5', 'NaN']);
  assert.equal(n.integer, false);
  assert.deepEqual(labels(c), ['a', '{"k":[1]}', null]);
  assert.deepEqual(labels(extra), [null, null, 'true']);
});

test('an empty file, blank lines only, and lines with no object each load as an empty table with a problem', () => {
  for (const input of ['', '\uFEFF', '\n \r\n', new Uint8Array(0)]) {
    assert.deepEqual(readJsonl(input), { columns: [], rows: 0, problems: [{ line: 1, message: 'empty file: no JSON lines' }] }, JSON.stringify(input));
  }
  const noObjects = readJsonl('[1]\n\n"text"\n');
  assert.equal(noObjects.rows, 0);
  assert.deepEqual(noObjects.problems, [
    { line: 1, message: 'not a JSON object but an array: skipped' },
    { line: 1, message: 'no data rows: no line holds a JSON object' },
    { line: 3, message: 'not a JSON object but a string: skipped' },
  ]);
});

test('malformed and non-object lines are skipped with a problem naming their line and what they hold', () => {
  const table = readJsonl(['{"a": 1}', '{"a": 2,}', 'not json', '[1, 2]', '42', '"text"', 'null', 'true', '{"a": 3}'].join('\n'));
  assert.equal(table.rows, 2);
  assert.deepEqual([...(table.columns[0] as NumericColumn).values], [1, 3]);
  assert.deepEqual(table.problems.map((problem) => problem.line), [2, 3, 4, 5, 6, 7, 8]);
  const [trailingComma, notJson, ...notObjects] = table.problems.map((problem) => problem.message);
  assert.match(trailingComma ?? '', /^not valid JSON \(.*at column 9\): skipped$/);
  assert.doesNotMatch(trailingComma ?? '', /line 1/, "the parser's own line 1 is not the file's");
  assert.match(notJson ?? '', /^not valid JSON \(.*\): skipped$/);
  assert.deepEqual(notObjects, ['an array', 'a number', 'a string', 'null', 'a boolean'].map((kind) => `not a JSON object but ${kind}: skipped`));
});

test('a 5 MB line reads; a line over MAX_LINE_LENGTH is skipped unparsed with a problem', () => {
  const big = 'x'.repeat(5 << 20);
  const table = readJsonl(`{"id": 1, "note": "${big}"}\n{"id": 2, "note": "short"}\n`);
  assert.deepEqual(table.problems, []);
  assert.equal((table.columns[1] as CategoricalColumn).dictionary[0]?.length, 5 << 20);
  const huge = `{"note": "${'y'.repeat(MAX_LINE_LENGTH)}"}`;
  const skipped = readJsonl(`{"id": 1}\n${huge}\n{"id": 3}\n`);
  assert.equal(skipped.rows, 2);
  assert.deepEqual(skipped.problems, [{ line: 2, message: `a line of ${huge.length} characters is over the ${MAX_LINE_LENGTH}-character limit: skipped` }]);
  const malformedHuge = readJsonl(`{"id": 1}\n{"note": "${big}" oops}\n`);
  assert.equal(malformedHuge.problems[0]?.line, 2);
  assert.ok((malformedHuge.problems[0]?.message.length ?? Infinity) < 200, 'the message quotes no more than a snippet of the line');
});

test('bytes that are not UTF-8 read as U+FFFD, and the first line holding them is named', () => {
  const encoded = new TextEncoder().encode('{"c": "ok"}\n{"c": "bad?"}\n{"c": "bad?"}\n');
  encoded.forEach((byte, index) => {
    if (byte === 0x3f) encoded[index] = 0xff;
  });
  const table = readJsonl(encoded);
  assert.equal(table.rows, 3);
  assert.deepEqual(labels(table.columns[0] as CategoricalColumn), ['ok', 'bad\uFFFD', 'bad\uFFFD']);
  assert.deepEqual(table.problems, [{ line: 2, message: 'this line holds bytes that are not UTF-8 (the first such line): they read as U+FFFD' }]);
  assert.deepEqual(readJsonl(new TextEncoder().encode('{"c": "\uFFFD"}\n')).problems, [], 'U+FFFD written as UTF-8 is valid');
});

test('problems past maxProblems are counted, not listed', () => {
  const table = readJsonl('x\ny\nz\n{"a": 1}\n', 2);
  assert.deepEqual(table.problems.map((problem) => [problem.line, problem.message]).slice(2), [[3, '1 more problem not listed']]);
});
