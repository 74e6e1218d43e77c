import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RunIndex } from '../../src/runs/runIndex.ts';
import { tempDir } from '../support/tempStore.ts';

const WRITERS = 20;
const LINES = 5000;
const writerScript = new URL('../support/appendMetrics.ts', import.meta.url);

function runWriter(file: string, writer: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerScript.pathname, file, String(writer), String(LINES)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited with ${code}`))));
  });
}

describe('concurrent appends', () => {
  it(`${WRITERS} processes appending ${LINES} metric lines each to one file lose no line and tear none`, async () => {
    const store = tempDir();
    const dir = path.join(store, 'runs', 'shared');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'metrics.jsonl');
    // A reader follows the file while the writers append, as the extension does with a live run.
    const live = new RunIndex({ storeDir: store, useCache: false });
    await live.load();
    let writing = true;
    let refreshes = 0;
    const follow = (async () => {
      while (writing) {
        live.refresh(['shared']);
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all(Array.from({ length: WRITERS }, (_, writer) => runWriter(file, writer)));
    writing = false;
    await follow;
    live.refresh(['shared']);
    assert.ok(refreshes > 10, `the reader ran during the writes (${refreshes} refreshes)`);
    assert.deepEqual(live.problems(), [], 'no torn line was ever seen');
    const followed = live.get('shared')?.metrics ?? {};
    for (let writer = 0; writer < WRITERS; writer++) assert.equal(followed[`w${writer}`]?.count, LINES, `followed w${writer}`);

    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.length, WRITERS * LINES);
    const seen = new Set<string>();
    for (const line of lines) {
      const point = JSON.parse(line) as { name: string; step: number; value: number };
      assert.equal(point.value, point.step * 1000 + Number(point.name.slice(1)));
      seen.add(`${point.name}:${point.step}`);
    }
    assert.equal(seen.size, WRITERS * LINES);

    const index = new RunIndex({ storeDir: store, useCache: false });
    await index.load();
    const metrics = index.get('shared')?.metrics ?? {};
    assert.equal(Object.keys(metrics).length, WRITERS);
    for (let writer = 0; writer < WRITERS; writer++) assert.equal(metrics[`w${writer}`]?.count, LINES);
    assert.deepEqual(index.problems(), []);
  });
});
