import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { seededRandom, tempDir } from '../../support/tempStore.ts';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** A reference and a current table: `price` shifts in the current one, `color` and `size` stay the same. */
function writeTables(dir: string): void {
  const random = seededRandom(9);
  const rows = (shift: number) => {
    const lines = ['price,color,size'];
    for (let row = 0; row < 400; row++) lines.push(`${(random() * 10 + shift).toFixed(3)},${['red', 'green', 'blue'][row % 3]},${row % 4}`);
    return lines.join('\n') + '\n';
  };
  fs.writeFileSync(path.join(dir, 'reference.csv'), rows(0));
  fs.writeFileSync(path.join(dir, 'current.csv'), rows(3));
  fs.writeFileSync(path.join(dir, 'current.jsonl'), ['{"price": 1.5, "color": "red", "size": 1}', 'not json', '{"price": null, "color": "blue", "size": 2}', ''].join('\n'));
}

test('mltrail drift prints a table and the verdict; exit 0 without dataset drift, 1 with it', async () => {
  const dir = tempDir();
  writeTables(dir);
  const plain = await cli(['drift', 'reference.csv', 'current.csv'], dir);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /COLUMN\s+TYPE\s+METHOD\s+STATISTIC\s+P-VALUE/);
  assert.match(plain.stdout, /price\s+numerical\s+ks\s+\S+\s+\S+\s+0\.05\s+yes/);
  assert.match(plain.stdout, /color\s+categorical\s+chisquare/);
  assert.match(plain.stdout, /Drift in 1 of 3 columns \(33%\): no dataset drift/);
  const gate = await cli(['drift', 'reference.csv', 'current.csv', '--drift-share', '0.3'], dir);
  assert.equal(gate.code, 1);
  assert.match(gate.stdout, /dataset drift detected/);
  const priceOnly = await cli(['drift', 'reference.csv', 'current.csv', '--columns', 'price'], dir);
  assert.equal(priceOnly.code, 1, 'the one column compared drifted: the dataset did');
});

test('mltrail drift --json carries every column, and per-column methods and thresholds apply', async () => {
  const dir = tempDir();
  writeTables(dir);
  const result = await cli(['drift', 'reference.csv', 'current.csv', '--json', '--method', 'price=psi:0.2', '--method', 'size=ztest', '--correction', 'bonferroni'], dir);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { columns: Array<{ name: string; method: string; threshold: number; statistic: number; pValue?: number }>; reference: { rows: number }; datasetDrift: boolean; driftShare: number };
  assert.equal(json.reference.rows, 400);
  assert.equal(json.datasetDrift, false);
  assert.equal(json.driftShare, 0.5);
  const price = json.columns.find((column) => column.name === 'price');
  assert.equal(price?.method, 'psi');
  assert.equal(price?.threshold, 0.2);
  assert.ok((price?.statistic ?? 0) > 0.2);
  assert.equal('pValue' in (price ?? {}), false, 'a distance has no p-value');
  assert.equal(json.columns.find((column) => column.name === 'size')?.method, 'ztest');
  assert.ok(typeof json.columns.find((column) => column.name === 'color')?.pValue === 'number');
  assert.deepEqual(json.columns.map((column) => column.name), ['price', 'color', 'size']);
});

test('mltrail drift reads JSONL, reports its bad lines, and refuses wrong usage and missing files', async () => {
  const dir = tempDir();
  writeTables(dir);
  const jsonl = await cli(['drift', 'reference.csv', 'current.jsonl', '--json'], dir);
  assert.ok(jsonl.code === 0 || jsonl.code === 1, jsonl.stderr);
  assert.ok(Array.isArray((JSON.parse(jsonl.stdout) as { columns: unknown[] }).columns));
  assert.match(jsonl.stderr, /current\.jsonl:2: not valid JSON/);
  assert.equal((await cli(['drift', 'reference.csv'], dir)).code, 2);
  assert.equal((await cli(['drift', 'reference.csv', 'current.csv', '--method', 'magic'], dir)).code, 2);
  assert.equal((await cli(['drift', 'reference.csv', 'current.csv', '--bins', 'quantile:1'], dir)).code, 2);
  const missing = await cli(['drift', 'reference.csv', 'nope.csv'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv: no such file/);
  const spreadsheet = await cli(['drift', 'reference.csv', 'data.xlsx'], dir);
  assert.equal(spreadsheet.code, 2);
  assert.match(spreadsheet.stderr, /data\.xlsx: cannot read \.xlsx yet; MLTrail reads \.csv/);
  fs.writeFileSync(path.join(dir, 'empty.csv'), 'price,color\n');
  const empty = await cli(['drift', 'reference.csv', 'empty.csv'], dir);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty\.csv: no data rows/);
});

test('mltrail drift --save writes the report into the store', async () => {
  const dir = tempDir();
  writeTables(dir);
  fs.mkdirSync(path.join(dir, '.mltrail'));
  const result = await cli(['drift', 'reference.csv', 'current.csv', '--save', '--bins', 'quantile'], dir);
  assert.equal(result.code, 0, result.stderr);
  const [saved] = fs.readdirSync(path.join(dir, '.mltrail', 'drift'));
  assert.ok(saved?.endsWith('.json'));
  const report = JSON.parse(fs.readFileSync(path.join(dir, '.mltrail', 'drift', saved as string), 'utf8')) as { id: string; columns: unknown[] };
  assert.equal(`${report.id}.json`, saved);
  assert.equal(report.columns.length, 3);
  const noStore = await cli(['drift', 'reference.csv', 'current.csv', '--save', '--store', 'nowhere'], dir);
  assert.equal(noStore.code, 2);
});

test('mltrail drift --window splits the current data into chunks and flags the drifted ones', async () => {
  const dir = tempDir();
  const random = seededRandom(21);
  const lines = (count: number, shiftFrom: number) => ['time,x', ...Array.from({ length: count }, (_, row) => `${1_767_225_600 + row * 600},${(random() * 10 + (row >= shiftFrom ? 5 : 0)).toFixed(3)}`)].join('\n');
  fs.writeFileSync(path.join(dir, 'reference.csv'), lines(600, Infinity));
  fs.writeFileSync(path.join(dir, 'current.csv'), lines(432, 288));
  const result = await cli(['drift', 'reference.csv', 'current.csv', '--window', '1d', '--time-column', 'time'], dir);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /2026-01-01T00:00:00Z \+1d\s+144\s+0\/1\s+no/);
  assert.match(result.stdout, /2026-01-03T00:00:00Z \+1d\s+144\s+1\/1\s+yes\s+x/);
  assert.match(result.stdout, /Dataset drift in 1 of 3 chunks/);
  assert.equal((await cli(['drift', 'reference.csv', 'current.csv', '--window', '1d'], dir)).code, 2, 'a time window needs --time-column');
  const rows = await cli(['drift', 'reference.csv', 'current.csv', '--window', '144', '--json', '--columns', 'x'], dir);
  assert.equal(rows.code, 1, rows.stderr);
  assert.equal((JSON.parse(rows.stdout) as { chunks: unknown[] }).chunks.length, 3);
});
