import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CategoricalColumn, MAX_COLUMNS, type NumericColumn, parseNumberBytes, readCsv } from '../../../src/drift/table/csv.ts';
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

test('a text spelled two ways (quoted with "" escapes or not) gets one code; raw quotes in an unquoted field are kept', () => {
  const table = readCsv(bytes('x\n"a""b"\na"b\na""b\n"a""b"\n'));
  const x = table.columns[0] as CategoricalColumn;
  assert.deepEqual([...x.codes].map((code) => x.dictionary[code]), ['a"b', 'a"b', 'a""b', 'a"b']);
  assert.equal(x.codes[0], x.codes[1]);
  assert.deepEqual(x.dictionary, ['a"b', 'a""b']);
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

/** RFC 4180 records of a string, written independently of the reader: a character state machine. Blank lines are skipped. */
function referenceRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let started = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (inQuotes) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') inQuotes = false;
      else field += char;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      if (started) records.push([...fields, field]);
      fields = [];
      field = '';
      started = false;
      continue;
    } else if (char === '"') inQuotes = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
    started = true;
  }
  if (started) records.push([...fields, field]);
  return records;
}

test('random tables read as an independent RFC 4180 parse says, on the fast paths and the quoted one alike', () => {
  const random = seededRandom(11);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)] as T;
  const numberText = () => pick([() => (random() * 2000 - 1000).toFixed(Math.floor(random() * 6)), () => String(Math.floor(random() * 100)), () => (random() * 1e-5).toExponential(3), () => random().toPrecision(16 + Math.floor(random() * 3)), () => pick(['', 'NA', '-0', '.5', '5.', '+3', '1234567890123456', '0.1234567890123456789'])])();
  const words = ['alpha', 'beta', 'a,b', 'say "hi"', 'two\nlines', 'x\r\ny', 'ünï', '', 'NA'];
  const quoted = (text: string) => (/[",\r\n]/.test(text) || random() < 0.1 ? `"${text.replaceAll('"', '""')}"` : text);
  for (let trial = 0; trial < 300; trial++) {
    const kinds = Array.from({ length: 1 + Math.floor(random() * 5) }, () => (random() < 0.6 ? 'numeric' : 'categorical'));
    const turnsToText = Math.floor(random() * 60);
    const lines = [kinds.map((_, column) => `c${column}`).join(',')];
    for (let row = 0; row < 1 + Math.floor(random() * 50); row++) {
      lines.push(kinds.map((kind, column) => quoted(kind === 'categorical' ? pick(words) : row === turnsToText && column === 0 ? 'text' : numberText())).join(','));
    }
    const newline = random() < 0.3 ? '\r\n' : '\n';
    const text = lines.join(newline) + (random() < 0.5 ? newline : '');
    const table = readCsv(bytes(text));
    const [header, ...records] = referenceRecords(text);
    assert.deepEqual(table.problems, [], text);
    assert.equal(table.rows, records.length, JSON.stringify(text));
    assert.deepEqual(table.columns.map((column) => column.name), header);
    table.columns.forEach((column, index) => {
      const fields = records.map((record) => record[index] as string);
      const missing = (field: string) => field === '' || field === 'NA';
      if (column.kind === 'numeric') {
        assert.equal(fields.every((field) => missing(field) || !Number.isNaN(Number(field))), true, text);
        fields.forEach((field, row) => assert.equal(Object.is(column.values[row], missing(field) ? Number.NaN : Number(field)), true, `${field} in ${text}`));
      } else {
        assert.deepEqual([...column.codes].map((code) => (code < 0 ? null : column.dictionary[code])), fields.map((field) => (missing(field) ? null : field)), text);
      }
    });
  }
});

test('an empty file, blank lines only and a header only each load as an empty table with a problem', () => {
  for (const text of ['', '\uFEFF', '\n\r\n\n']) {
    assert.deepEqual(readCsv(bytes(text)), { columns: [], rows: 0, problems: [{ line: 1, message: 'empty file: no header row' }] }, JSON.stringify(text));
  }
  const headerOnly = readCsv(bytes('\na,b\n\n'));
  assert.equal(headerOnly.rows, 0);
  assert.deepEqual(headerOnly.columns.map((column) => [column.name, column.kind === 'numeric' ? column.values.length : -1]), [['a', 0], ['b', 0]]);
  assert.deepEqual(headerOnly.problems, [{ line: 2, message: 'no data rows below the header' }]);
});

test('problems name the line a record starts on, past blank lines and newlines inside quotes', () => {
  const table = readCsv(bytes('a,b\n"multi\nline",1\n\nx,2,3\r\n\r\ny\n"never closed,4\n'));
  assert.equal(table.rows, 3);
  assert.deepEqual(table.problems, [
    { line: 5, message: '3 fields where the header has 2: the extra fields are ignored' },
    { line: 7, message: '1 field where the header has 2: the missing ones are read as missing' },
    { line: 8, message: 'a quoted field is never closed: the rest of the file is ignored' },
  ]);
});

test('a 5 MB field is read as missing with a problem; a 5 MB unclosed quote stops the read; all in linear time', () => {
  const started = performance.now();
  const long = 'x'.repeat(5 << 20);
  const table = readCsv(bytes(`id,note\n1,short\n2,${long}\n3,short\n`));
  assert.equal(table.rows, 3);
  const note = table.columns[1] as CategoricalColumn;
  assert.deepEqual([...note.codes].map((code) => (code < 0 ? null : note.dictionary[code])), ['short', null, 'short']);
  assert.deepEqual(table.problems, [{ line: 3, message: `a field of ${5 << 20} bytes in column "note" is over the 1048576-byte limit: it is read as missing` }]);
  const numeric = readCsv(bytes(`n\n1\n${'9'.repeat(5 << 20)}\n`));
  assert.deepEqual([...(numeric.columns[0] as NumericColumn).values].map(String), ['1', 'NaN']);
  assert.equal(numeric.problems[0]?.line, 3);
  const unclosed = readCsv(bytes(`id,note\n1,"${long}\n`));
  assert.equal(unclosed.rows, 0);
  assert.deepEqual(unclosed.problems, [
    { line: 1, message: 'no data rows below the header' },
    { line: 2, message: 'a quoted field is never closed: the rest of the file is ignored' },
  ]);
  const delimiters = readCsv(bytes(`a,b\n${','.repeat(5 << 20)}\n`));
  assert.deepEqual(delimiters.problems, [{ line: 2, message: `${(5 << 20) + 1} fields where the header has 2: the extra fields are ignored` }]);
  // About 0.2 s here; anything quadratic in the line's length would take hours.
  assert.ok(performance.now() - started < 10_000);
});

test('a header far wider than any table is cut at MAX_COLUMNS with a problem', () => {
  const fields = MAX_COLUMNS + 5;
  const table = readCsv(bytes(`${'h,'.repeat(fields - 1)}h\n${'1,'.repeat(fields - 1)}1\n`));
  assert.equal(table.columns.length, MAX_COLUMNS);
  assert.equal(table.rows, 1);
  assert.deepEqual(table.problems, [{ line: 1, message: `the header has ${fields} fields: only the first ${MAX_COLUMNS} columns are read (is the delimiter right?)` }]);
});

test('bytes that are not UTF-8 read as U+FFFD, and the header line and the first line of each column holding them are named', () => {
  const encoded = bytes('id,na\uFFFEme,city\n1,a,Paris\n2,b,Par\uFFFEis\n3,c,Par\uFFFEis\n4,d,Oslo\n');
  // U+FFFE encodes as EF BF BE; turning its first byte into FF makes the three bytes invalid UTF-8.
  for (let index = 0; index < encoded.length; index++) if (encoded[index] === 0xef && encoded[index + 1] === 0xbf && encoded[index + 2] === 0xbe) encoded[index] = 0xff;
  const table = readCsv(encoded);
  assert.equal(table.rows, 4);
  const [, name, city] = table.columns as [NumericColumn, CategoricalColumn, CategoricalColumn];
  assert.equal(name.name, 'na\uFFFD\uFFFD\uFFFDme');
  assert.deepEqual([...city.codes].map((code) => city.dictionary[code]), ['Paris', 'Par\uFFFD\uFFFD\uFFFDis', 'Par\uFFFD\uFFFD\uFFFDis', 'Oslo']);
  assert.deepEqual(table.problems, [
    { line: 1, message: 'the header holds bytes that are not UTF-8 (in column 2): they read as U+FFFD' },
    { line: 3, message: 'column "city" holds bytes that are not UTF-8 (first here): they read as U+FFFD' },
  ]);
  const numericTurned = readCsv(new Uint8Array([...bytes('n\n1\n2\n'), 0xff, 0x0a]));
  assert.deepEqual(numericTurned.problems.map((problem) => problem.line), [4]);
  const genuineReplacement = readCsv(bytes('c\n\uFFFD\n'));
  assert.deepEqual(genuineReplacement.problems, [], 'U+FFFD written as UTF-8 is valid');
});

test('problems past maxProblems are counted from the first line left out', () => {
  const table = readCsv(bytes('a,b\n1\n2\n3\n4\n'), { maxProblems: 2 });
  assert.deepEqual(table.problems.map((problem) => [problem.line, problem.message.split(':')[0]]), [
    [2, '1 field where the header has 2'],
    [3, '1 field where the header has 2'],
    [4, '2 more problems not listed'],
  ]);
});
