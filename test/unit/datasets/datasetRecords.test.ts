import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appendDatasetRecord, datasetRecordsFile, readDatasetRecords } from '../../../src/datasets/datasetRecords.ts';
import { tempDir } from '../../support/tempStore.ts';

describe('dataset records', () => {
  it('round-trips a record in the documented shape', () => {
    const file = datasetRecordsFile(tempDir(), 'train');
    const record = {
      version: 1,
      path: 'data/train.csv',
      hash: 'xxh64:0123456789abcdef',
      size: 20,
      files: 1,
      rows: 2,
      columns: [{ name: 'a', type: 'integer' }],
      time: Date.parse('2026-03-01T10:15:00Z'),
      git: { commit: 'abc', branch: 'main', dirty: false },
      note: 'first cut',
      problems: ['line 3: 2 fields where the header has 3'],
    };
    appendDatasetRecord(file, record);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      '{"version":1,"path":"data/train.csv","hash":"xxh64:0123456789abcdef","size":20,"files":1,"rows":2,"columns":[{"name":"a","type":"integer"}],' +
        '"time":"2026-03-01T10:15:00.000Z","git":{"commit":"abc","branch":"main","dirty":false},"note":"first cut","problems":["line 3: 2 fields where the header has 3"]}\n',
    );
    assert.deepEqual(readDatasetRecords(file), { records: [record], problems: [] });
  });

  it('skips malformed lines and reports each with its line, keeping the rest in version order', () => {
    const file = path.join(tempDir(), 'train.jsonl');
    const lines = [
      '{"version":2,"hash":"md5:aa","time":1772360100000,"extra":"ignored"}',
      '{broken',
      '[1,2]',
      '{"version":0,"hash":"xxh64:00"}',
      '{"version":3}',
      '{"version":4,"hash":"xxh64:04","rows":-1}',
      '{"version":5,"hash":"xxh64:05","columns":[{"name":"a"}]}',
      '{"version":6,"hash":"xxh64:06","time":"yesterday"}',
      '',
      '{"version":1,"hash":"xxh64:01","git":{"dirty":"yes"}}',
      '{"version":1,"hash":"xxh64:01b"}',
      '{"version":2,"hash":"xxh64:02 again"}',
      '{"version":7,"hash":"xxh64:07 half-written',
    ];
    fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}`);
    const { records, problems } = readDatasetRecords(file);
    assert.deepEqual(records, [
      { version: 1, hash: 'xxh64:01b' },
      { version: 2, hash: 'md5:aa', time: 1772360100000 },
    ]);
    assert.deepEqual(
      problems.map((problem) => [problem.path, problem.line, problem.message.replace(/ \(.*\)$/, '')]),
      [
        [file, 2, 'not valid JSON'],
        [file, 3, 'not a JSON object'],
        [file, 4, '"version" must be a positive integer'],
        [file, 5, '"hash" must be a non-empty string such as "xxh64:<hex>"'],
        [file, 6, '"rows" must be a whole number'],
        [file, 7, '"columns" must be a list of {"name", "type"}'],
        [file, 8, '"time" must be an ISO 8601 string or epoch milliseconds'],
        [file, 10, '"git" must be {"commit", "branch", "dirty"}'],
        [file, 12, 'version 2 was already recorded at line 1'],
      ],
    );
  });

  it('has no versions when the file does not exist', () => {
    assert.deepEqual(readDatasetRecords(path.join(tempDir(), 'none.jsonl')), { records: [], problems: [] });
  });
});
