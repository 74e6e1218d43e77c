import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { JOB_PROBLEMS_FILE, LOGS_FILE, readJobState } from '../../../src/jobs/jobFiles.ts';
import { applyNewLogLines } from '../../../src/jobs/logApplier.ts';
import { parseProtocolLine } from '../../../src/jobs/stdoutProtocol.ts';
import { appendDatasetRecord, datasetRecordsFile } from '../../../src/datasets/datasetRecords.ts';
import { tempDir } from '../../support/tempStore.ts';

describe('stdout protocol lines', () => {
  it('reads each kind of record', () => {
    assert.deepEqual(parseProtocolLine('{"mltrail":"metric","name":"loss","step":3,"value":0.41,"time":"2026-03-01T10:15:00Z"}'), {
      type: 'record',
      record: { kind: 'metric', name: 'loss', step: 3, value: 0.41, time: Date.parse('2026-03-01T10:15:00Z') },
    });
    assert.deepEqual(parseProtocolLine('{"mltrail":"metric","name":"x","value":"-Infinity"}'), { type: 'record', record: { kind: 'metric', name: 'x', value: -Infinity } });
    assert.deepEqual(parseProtocolLine('{"mltrail":"params","values":{"lr":0.1}}'), { type: 'record', record: { kind: 'params', values: { lr: 0.1 } } });
    assert.deepEqual(parseProtocolLine('{"mltrail":"tags","values":{"t":"v"}}\r'), { type: 'record', record: { kind: 'tags', values: { t: 'v' } } });
    assert.deepEqual(parseProtocolLine('{"mltrail":"input","dataset":"train","version":3}'), { type: 'record', record: { kind: 'input', dataset: 'train', version: 3 } });
    assert.deepEqual(parseProtocolLine('{"mltrail":"model","name":"classifier","path":"out/model.pt"}'), {
      type: 'record',
      record: { kind: 'model', name: 'classifier', path: 'out/model.pt' },
    });
  });

  it('passes other lines through as log, JSON without the key included', () => {
    for (const line of ['Epoch 1/10', '', '{"loss": 0.3}', '[1, 2]', '{not json at all', '  {"other":"mltrail"}']) {
      assert.deepEqual(parseProtocolLine(line), { type: 'log' }, line);
    }
  });

  it('reports a protocol line that is malformed', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"mltrail":"metric","name":"loss"', /not valid JSON/],
      ['{"mltrail":"metric","name":"loss","value":"high"}', /"value" must be a number/],
      ['{"mltrail":"metric","value":1}', /non-empty string "name"/],
      ['{"mltrail":"metric","name":"a","value":1,"step":"3"}', /"step" must be a number/],
      ['{"mltrail":"params","values":[1]}', /object "values"/],
      ['{"mltrail":"input","dataset":"d","version":0}', /positive integer/],
      ['{"mltrail":"artifact","path":"x"}', /unknown record "mltrail": "artifact"/],
    ];
    for (const [line, message] of cases) {
      const parsed = parseProtocolLine(line);
      assert.equal(parsed.type, 'malformed', line);
      assert.match(parsed.type === 'malformed' ? parsed.message : '', message);
    }
  });
});

function runDirectory() {
  const storeDir = tempDir();
  const dir = path.join(storeDir, 'runs', '20260101-000000-abcdef');
  fs.mkdirSync(dir, { recursive: true });
  const write = (text: string) => fs.appendFileSync(path.join(dir, LOGS_FILE), text);
  const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), 'utf8') : '');
  const jsonLines = (file: string) => read(file).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { storeDir, dir, write, read, jsonLines };
}

describe('applying logs.txt', () => {
  it('applies a record split across writes once it is complete, CRLF included', () => {
    const run = runDirectory();
    run.write('starting\r\n{"mltrail":"metric","na');
    assert.equal(applyNewLogLines(run), 0);
    assert.deepEqual(run.jsonLines('metrics.jsonl'), []);
    run.write('me":"loss","step":0,"value":1}\r\n{"mltrail":"params","values":{"lr":0.1}}\n');
    assert.equal(applyNewLogLines(run), 2);
    assert.deepEqual(run.jsonLines('metrics.jsonl').map(({ time: _time, ...point }) => point), [{ name: 'loss', step: 0, value: 1 }]);
    assert.deepEqual(run.jsonLines('run.jsonl'), [{ type: 'params', values: { lr: 0.1 } }]);
  });

  it('resumes from the saved offset: applying again, or after a reload, adds nothing twice', () => {
    const run = runDirectory();
    run.write('{"mltrail":"metric","name":"loss","value":1}\n{"mltrail":"tags","values":{"a":1}}\n');
    assert.equal(applyNewLogLines(run), 2);
    assert.equal(applyNewLogLines(run), 0);
    const state = readJobState(run.dir);
    assert.equal(state.logOffset, fs.statSync(path.join(run.dir, LOGS_FILE)).size);
    assert.equal(state.logLines, 2);
    run.write('{"mltrail":"metric","name":"loss","value":2}\n');
    assert.equal(applyNewLogLines(run), 1);
    assert.deepEqual(run.jsonLines('metrics.jsonl').map((point) => point.value), [1, 2]);
    assert.equal(run.jsonLines('run.jsonl').length, 1);
  });

  it('reports malformed protocol lines with their logs.txt line, and goes on', () => {
    const run = runDirectory();
    run.write('ok\n{"mltrail":"metric","name":"loss","value":"high"}\n{"mltrail":"metric","name":"loss","value":3}\n');
    assert.equal(applyNewLogLines(run), 1);
    assert.match(run.read(JOB_PROBLEMS_FILE), /logs\.txt:2: "value" must be a number.*\(line not applied\)/);
    assert.deepEqual(run.jsonLines('metrics.jsonl').map((point) => point.value), [3]);
  });

  it('applies a last line without its newline only once the job has ended', () => {
    const run = runDirectory();
    run.write('{"mltrail":"metric","name":"loss","value":"NaN"}');
    assert.equal(applyNewLogLines(run), 0);
    assert.equal(applyNewLogLines({ ...run, final: true }), 1);
    assert.deepEqual(run.jsonLines('metrics.jsonl').map((point) => point.value), ['NaN']);
  });

  it('records inputs with the version given, else the latest recorded, and keeps model requests for the end', () => {
    const run = runDirectory();
    appendDatasetRecord(datasetRecordsFile(run.storeDir, 'train'), { version: 1, hash: 'xxh64:1' });
    appendDatasetRecord(datasetRecordsFile(run.storeDir, 'train'), { version: 2, hash: 'xxh64:2' });
    run.write('{"mltrail":"input","dataset":"train"}\n{"mltrail":"input","dataset":"train","version":1}\n{"mltrail":"model","name":"clf","path":"m.pt"}\n');
    applyNewLogLines(run);
    assert.deepEqual(run.jsonLines('run.jsonl'), [
      { type: 'input', dataset: 'train', version: 2 },
      { type: 'input', dataset: 'train', version: 1 },
    ]);
    assert.deepEqual(readJobState(run.dir).pendingModels, [{ name: 'clf', path: 'm.pt', line: 3 }]);
  });
});
