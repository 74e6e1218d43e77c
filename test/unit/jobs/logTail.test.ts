import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LogTail } from '../../../src/jobs/logTail.ts';
import { tempDir } from '../../support/tempStore.ts';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('log tail', () => {
  it('passes what the file holds, then only what is appended, each piece once', async () => {
    const file = path.join(tempDir(), 'logs.txt');
    fs.writeFileSync(file, 'one\n');
    const pieces: string[] = [];
    const tail = new LogTail(file, (text) => pieces.push(text));
    tail.readNow();
    assert.deepEqual(pieces, ['one\n']);
    tail.follow(50);
    fs.appendFileSync(file, 'two\n');
    await waitFor(() => pieces.join('') === 'one\ntwo\n', 'the appended line');
    fs.appendFileSync(file, 'three\n');
    await waitFor(() => pieces.join('') === 'one\ntwo\nthree\n', 'the second appended line');
    tail.stop();
    assert.equal(pieces.join(''), 'one\ntwo\nthree\n');
  });

  it('follows a file that does not exist yet, and keeps a character split across writes whole', async () => {
    const file = path.join(tempDir(), 'logs.txt');
    let text = '';
    const tail = new LogTail(file, (piece) => (text += piece));
    tail.follow(20);
    const bytes = Buffer.from('loss → 0.5\n');
    const arrow = bytes.indexOf(0xe2);
    fs.writeFileSync(file, bytes.subarray(0, arrow + 1));
    await waitFor(() => text === 'loss ', 'the text before the split character');
    fs.appendFileSync(file, bytes.subarray(arrow + 1));
    await waitFor(() => text === 'loss → 0.5\n', 'the rest');
    tail.stop();
    assert.equal(text, 'loss → 0.5\n');
  });

  it('reads a file that was replaced by a shorter one from its start', () => {
    const file = path.join(tempDir(), 'logs.txt');
    fs.writeFileSync(file, 'a long first log\n');
    let text = '';
    const tail = new LogTail(file, (piece) => (text += piece));
    tail.readNow();
    fs.writeFileSync(file, 'new\n');
    tail.readNow();
    assert.equal(text, 'a long first log\nnew\n');
  });

  it('stops following: what is appended afterwards is not read', async () => {
    const file = path.join(tempDir(), 'logs.txt');
    fs.writeFileSync(file, '');
    let text = '';
    const tail = new LogTail(file, (piece) => (text += piece));
    tail.follow(10);
    fs.appendFileSync(file, 'before\n');
    tail.stop();
    assert.equal(text, 'before\n');
    // A second tail following the same file sees the append: by then the stopped one would have too.
    let witness = '';
    const second = new LogTail(file, (piece) => (witness += piece));
    second.follow(10);
    fs.appendFileSync(file, 'after\n');
    await waitFor(() => witness.endsWith('after\n'), 'the second tail to see the append');
    second.stop();
    assert.equal(text, 'before\n');
  });

  it('leaves out all but the last bytes of a large log, from the start of a line, then follows as before', async () => {
    const file = path.join(tempDir(), 'logs.txt');
    const lines = Array.from({ length: 1_000 }, (_, index) => `line ${String(index).padStart(4, '0')} é\n`);
    fs.writeFileSync(file, lines.join(''));
    let text = '';
    const tail = new LogTail(file, (piece) => (text += piece));
    const skipped = tail.skipAllButLast(1_000);
    tail.readNow();
    assert.ok(text.length > 0 && Buffer.byteLength(text) <= 1_000, `${Buffer.byteLength(text)} bytes kept`);
    assert.ok(lines.join('').endsWith(text), 'the end of the log');
    assert.match(text, /^line \d{4} é\n/, 'from the start of a line');
    assert.equal(skipped + Buffer.byteLength(text), fs.statSync(file).size, 'what is left out and what is shown make the whole file');
    tail.follow(20);
    fs.appendFileSync(file, 'after\n');
    await waitFor(() => text.endsWith('line 0999 é\nafter\n'), 'the appended line');
    tail.stop();

    const small = new LogTail(file, () => {});
    assert.equal(small.skipAllButLast(10 * 1024 * 1024), 0, 'nothing left out of a log smaller than the limit');
  });

  it('passes on only what is appended after skipping to the end', () => {
    const file = path.join(tempDir(), 'logs.txt');
    fs.writeFileSync(file, 'copied already\n');
    let text = '';
    const tail = new LogTail(file, (piece) => (text += piece));
    tail.skipToEnd();
    fs.appendFileSync(file, 'new\n');
    tail.readNow();
    assert.equal(text, 'new\n');
  });
});
