import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runDriftJob } from '../../../src/drift/driftJob.ts';
import { buildReport, listReports, readReport, saveReport } from '../../../src/drift/driftReport.ts';
import { seededRandom, tempDir } from '../../support/tempStore.ts';

const workerScript = new URL('../../../src/drift/driftWorker.ts', import.meta.url);

function writeTables(dir: string): { reference: string; current: string } {
  const random = seededRandom(4);
  const rows = (shift: number, extra: boolean) => ['price,size,color,day', ...Array.from({ length: 3000 }, (_, row) => `${(random() * 10 + shift).toFixed(3)},${row % 4},${extra && row % 5 === 0 ? 'violet' : ['red', 'green'][row % 2]},2026-01-0${1 + (row % 3)}`)].join('\n');
  const reference = path.join(dir, 'reference.csv');
  const current = path.join(dir, 'current.csv');
  fs.writeFileSync(reference, rows(0, false));
  fs.writeFileSync(current, rows(2, true));
  return { reference, current };
}

test('a drift job on worker threads gives what it gives on one thread, and streams every column', async () => {
  const dir = tempDir();
  const files = writeTables(dir);
  const streamed: string[] = [];
  let planned: string[] = [];
  const threaded = await runDriftJob({ ...files, details: true }, { workerScript, events: { onTables: (_reference, _current, columns) => (planned = columns), onColumn: (name) => streamed.push(name) } });
  const inline = await runDriftJob({ ...files, details: true });
  assert.deepEqual(threaded.drift, inline.drift);
  assert.deepEqual(threaded.details, inline.details);
  assert.deepEqual(planned, ['price', 'size', 'color', 'day']);
  assert.deepEqual([...streamed].sort(), ['color', 'day', 'price', 'size']);
  assert.deepEqual(threaded.drift.columns.map((column) => [column.name, column.drift]), [['price', true], ['size', false], ['color', true]]);
  assert.deepEqual(threaded.drift.skipped.map((skip) => skip.name), ['day']);
  assert.equal(threaded.reference.rows, 3000);
});

test('a cancelled job stops its workers and rejects; a missing file names itself', async () => {
  const dir = tempDir();
  const files = writeTables(dir);
  const controller = new AbortController();
  const job = runDriftJob({ ...files, details: true }, { workerScript, signal: controller.signal });
  controller.abort();
  await assert.rejects(job, /cancelled/);
  await assert.rejects(runDriftJob({ reference: files.reference, current: path.join(dir, 'nope.csv') }, { workerScript }), /nope\.csv: no such file/);
  fs.writeFileSync(path.join(dir, 'empty.csv'), '');
  await assert.rejects(runDriftJob({ reference: files.reference, current: path.join(dir, 'empty.csv') }, { workerScript }), /empty\.csv/);
});

test('a saved report reads back whole, infinities included, and is listed newest first', async () => {
  const dir = tempDir();
  const files = writeTables(dir);
  const store = path.join(dir, '.mltrail');
  const result = await runDriftJob({ ...files, details: true, options: { method: 'chisquare', only: ['color'] } });
  assert.equal(result.drift.columns[0]?.statistic, Infinity, 'a category only the current data has: chi-square is infinite');
  const older = buildReport(result, { method: 'chisquare' }, { reference: { name: 'train', version: 1 } }, new Date('2026-01-01T00:00:00Z'));
  const newer = buildReport(result, {}, {}, new Date('2026-02-01T00:00:00Z'));
  const olderFile = saveReport(store, older);
  saveReport(store, newer);
  assert.match(fs.readFileSync(olderFile, 'utf8'), /"statistic": "Infinity"/);
  const read = readReport(olderFile);
  assert.equal(read.columns[0]?.statistic, Infinity);
  assert.deepEqual(read.details, older.details);
  assert.deepEqual(read.reference.dataset, { name: 'train', version: 1 });
  fs.writeFileSync(path.join(store, 'drift', 'broken.json'), '{"id": 1');
  const listing = listReports(store);
  assert.deepEqual(listing.reports.map((report) => report.id), [newer.id, older.id]);
  assert.equal(listing.problems.length, 1);
  assert.match(listing.problems[0]?.message ?? '', /broken\.json: not a readable drift report/);
});
