import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CategoricalColumn, type NumericColumn, parseNumberBytes, readCsv } from '../../../src/drift/table/csv.ts';
import { seededRandom } from '../../support/tempStore.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

test('numbers parse from bytes exactly as Number() rounds them', () => {
  const random = seededRandom(3);
  const samples = ['0', '-0', '1.5', '+2', '007', '1e5', '1E-5', '-3.25e+2', '0.1', '123456789012345', '1234567890123456789', '9007199254740993', '2.2250738585072014e-308', '1e-400', '1.7976931348623157e308', '4.35', ' 12 '];
  for (let index = 0; index < 2000; index++) samples.push((random() * 10 ** Math.floor(random() * 30 - 15)).toPrecision(1 + Math.floor(random() * 17)));
  for (const text of samples) {
    const encoded = bytes(text);
    assert.equal(Object.is(parseNumberBytes(encoded, 0, encoded.length), Number(text.trim())), true, text);
  }
  for (const text of ['', '.', '-', 'e5', '1e', '1.2.3', 'abc', '12abc', '0x10']) {
    const encoded = bytes(text);
    assert.equal(parseNumberBytes(encoded, 0, encoded.length), undefined, text);
  }
});

test('RFC 4180: quotes, escaped quotes, delimiters and newlines inside quotes, CRLF and a BOM', () => {
  const table = readCsv(bytes('\uFEFFid,name,score\r\n1,"Smith, Ann",0.5\r\n2,"say ""hi""\nthere",1.25\r\n3,plain,NA\r\n'));
  assert.equal(table.rows, 3);
  assert.deepEqual(table.problems, []);
  const [id, name, score] = table.columns as [NumericColumn, CategoricalColumn, NumericColumn];
  assert.equal(id.name, 'id');
  assert.deepEqual([...id.values], [1, 2, 3]);
  assert.equal(id.integer, true);
  assert.deepEqual([...name.codes].map((code) => name.dictionary[code]), ['Smith, Ann', 'say "hi"\nthere', 'plain']);
  assert.deepEqual([...score.values].map(String), ['0.5', '1.25', 'NaN']);
  assert.equal(score.integer, false);
});

test('a column with one text field becomes categorical, with its earlier fields read as text', () => {
  const table = readCsv(bytes('a,b\n1.50,x\n2,y\nthree,z\n,w\n'));
  const a = table.columns[0] as CategoricalColumn;
  assert.equal(a.kind, 'categorical');
  assert.deepEqual([...a.codes].map((code) => (code < 0 ? null : a.dictionary[code])), ['1.50', '2', 'three', null]);
});

test('missing markers, infinities, TSV, ragged rows and an unclosed quote are reported, not fatal', () => {
  const tsv = readCsv(bytes('x\ty\nnan\t-inf\n1\tinf\n\t2\n'), { delimiter: '\t' });
  const [x, y] = tsv.columns as [NumericColumn, NumericColumn];
  assert.deepEqual([...x.values].map(String), ['NaN', '1', 'NaN']);
  assert.deepEqual([...y.values].map(String), ['-Infinity', 'Infinity', '2']);
  const ragged = readCsv(bytes('a,b,c\n1,2\n3,4,5,6\n7,8,9'));
  assert.equal(ragged.rows, 3);
  assert.deepEqual(ragged.problems.map((problem) => problem.line), [2, 3]);
  assert.deepEqual([...(ragged.columns[2] as NumericColumn).values].map(String), ['NaN', '5', '9']);
  const unclosed = readCsv(bytes('a\n1\n"never closed\n2\n'));
  assert.equal(unclosed.rows, 1);
  assert.match(unclosed.problems[0]?.message ?? '', /never closed/);
  assert.equal(unclosed.problems[0]?.line, 3);
});

test('a column that turns to text after thousands of rows keeps every row', () => {
  const lines = ['n,v'];
  for (let row = 0; row < 5000; row++) lines.push(`${row},${row === 4321 ? 'oops' : row / 2}`);
  const table = readCsv(bytes(lines.join('\n')));
  assert.equal(table.rows, 5000);
  const v = table.columns[1] as CategoricalColumn;
  assert.equal(v.kind, 'categorical');
  assert.equal(v.dictionary[v.codes[4321] as number], 'oops');
  assert.equal(v.dictionary[v.codes[4999] as number], '2499.5');
  assert.equal((table.columns[0] as NumericColumn).values[4999], 4999);
});
