import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type FileCursor, readNewLines } from '../../src/platform/jsonlCursor.ts';
import { seededRandom, tempDir } from '../support/tempStore.ts';

function collect(file: string, cursor?: FileCursor, chunkBytes?: number) {
  const lines: Array<[number, string]> = [];
  let restarted = false;
  const overlong: number[] = [];
  const result = readNewLines(
    file,
    cursor,
    { line: (text, line) => lines.push([line, text]), restart: () => (restarted = true), overlong: (line) => overlong.push(line) },
    chunkBytes === undefined ? {} : { chunkBytes, maxLineBytes: 64 },
  );
  return { lines, result, restarted, overlong };
}

describe('readNewLines', () => {
  const dir = tempDir();

  it('returns undefined for a missing file', () => {
    assert.equal(collect(path.join(dir, 'missing.jsonl')).result, undefined);
  });

  it('leaves a trailing line without newline for a later read, then reads it once completed', () => {
    const file = path.join(dir, 'partial.jsonl');
    fs.writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
    const first = collect(file);
    assert.deepEqual(first.lines, [[1, '{"a":1}'], [2, '{"a":2}']]);
    assert.equal(first.result?.cursor.offset, 16);
    fs.appendFileSync(file, '3}\n');
    const second = collect(file, first.result?.cursor);
    assert.deepEqual(second.lines, [[3, '{"a":3}']]);
    assert.equal(second.result?.fromStart, false);
    assert.equal(second.restarted, false);
  });

  it('returns the same cursor object when nothing changed', () => {
    const file = path.join(dir, 'same.jsonl');
    fs.writeFileSync(file, 'x\n');
    const first = collect(file);
    const again = collect(file, first.result?.cursor);
    assert.equal(again.result?.cursor, first.result?.cursor);
    assert.deepEqual(again.lines, []);
  });

  it('strips CR, a UTF-8 BOM on line 1, and skips blank lines while counting them', () => {
    const file = path.join(dir, 'crlf.jsonl');
    fs.writeFileSync(file, '\uFEFF{"a":1}\r\n\r\n   \n{"b":2}\r\n');
    assert.deepEqual(collect(file).lines, [[1, '{"a":1}'], [4, '{"b":2}']]);
  });

  it('reads again from the start when the file was replaced by a longer one', () => {
    const file = path.join(dir, 'replaced.jsonl');
    fs.writeFileSync(file, '{"v":1}\n');
    const first = collect(file);
    const replacement = path.join(dir, 'replacement.tmp');
    fs.writeFileSync(replacement, '{"v":9}\n{"v":10}\n');
    fs.renameSync(replacement, file);
    const second = collect(file, first.result?.cursor);
    assert.equal(second.restarted, true);
    assert.deepEqual(second.lines, [[1, '{"v":9}'], [2, '{"v":10}']]);
  });

  it('reads again from the start when rewritten in place with different bytes before the offset', () => {
    const file = path.join(dir, 'rewritten.jsonl');
    fs.writeFileSync(file, '{"v":1}\n');
    const first = collect(file);
    fs.writeFileSync(file, '{"v":2}\n{"v":3}\n'); // same inode, larger, different prefix
    const second = collect(file, first.result?.cursor);
    assert.equal(second.restarted, true);
    assert.deepEqual(second.lines.map(([, text]) => text), ['{"v":2}', '{"v":3}']);
  });

  it('reads again from the start after a truncation', () => {
    const file = path.join(dir, 'truncated.jsonl');
    fs.writeFileSync(file, '{"v":1}\n{"v":2}\n');
    const first = collect(file);
    fs.writeFileSync(file, '{"v":3}\n');
    const second = collect(file, first.result?.cursor);
    assert.equal(second.restarted, true);
    assert.deepEqual(second.lines, [[1, '{"v":3}']]);
  });

  it('skips and reports a line longer than the limit without buffering it', () => {
    const file = path.join(dir, 'overlong.jsonl');
    fs.writeFileSync(file, `{"a":1}\n${'x'.repeat(500)}\n{"b":2}\n`);
    const { lines, overlong } = collect(file, undefined, 16);
    assert.deepEqual(lines, [[1, '{"a":1}'], [3, '{"b":2}']]);
    assert.deepEqual(overlong, [2]);
  });

  it('skips an overlong line that sits inside one read chunk too', () => {
    const file = path.join(dir, 'overlong-in-chunk.jsonl');
    fs.writeFileSync(file, `{"a":1}\n${'é'.repeat(300)}\n{"b":2}\n`);
    const lines: string[] = [];
    const overlong: Array<[number, number]> = [];
    readNewLines(file, undefined, { line: (text) => lines.push(text), overlong: (line, bytes) => overlong.push([line, bytes]) }, { maxLineBytes: 512 });
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
    assert.deepEqual(overlong, [[2, 600]]);
  });

  it('gives the same lines whatever the chunk size and however the file grew', () => {
    const random = seededRandom(7);
    const lines = Array.from({ length: 300 }, (_, index) => JSON.stringify({ index, text: 'é'.repeat(Math.floor(random() * 20)) }));
    const whole = lines.join('\n') + '\n';
    for (const chunkBytes of [1, 3, 17, 64, 4096]) {
      const file = path.join(dir, `grow-${chunkBytes}.jsonl`);
      fs.writeFileSync(file, '');
      let cursor: FileCursor | undefined;
      const seen: string[] = [];
      const bytes = Buffer.from(whole);
      let written = 0;
      while (written < bytes.length) {
        const next = Math.min(bytes.length, written + 1 + Math.floor(random() * 200));
        fs.appendFileSync(file, bytes.subarray(written, next));
        written = next;
        const result = readNewLines(file, cursor, { line: (text) => seen.push(text) }, { chunkBytes, maxLineBytes: 1 << 20 });
        cursor = result?.cursor;
      }
      assert.deepEqual(seen, lines, `chunk size ${chunkBytes}`);
      assert.equal(cursor?.lines, 300);
    }
  });
});
