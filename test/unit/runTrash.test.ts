import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { moveRunToTrash } from '../../src/runs/runTrash.ts';
import { jsonl, tempDir, writeRunFiles } from '../support/tempStore.ts';

describe('moveRunToTrash', () => {
  it('moves the run directory with its files, and keeps both copies when an id is deleted twice', () => {
    const store = tempDir();
    writeRunFiles(store, 'r1', { run: jsonl({ type: 'start', name: 'first' }) });
    const first = moveRunToTrash(store, 'r1');
    assert.equal(first, path.join(store, 'trash', 'r1'));
    assert.equal(fs.existsSync(path.join(store, 'runs', 'r1')), false);
    assert.match(fs.readFileSync(path.join(first, 'run.jsonl'), 'utf8'), /first/);
    writeRunFiles(store, 'r1', { run: jsonl({ type: 'start', name: 'second' }) });
    const second = moveRunToTrash(store, 'r1', new Date('2026-05-01T12:00:00Z'));
    assert.equal(path.basename(second), 'r1.deleted-2026-05-01T12-00-00-000Z');
    assert.match(fs.readFileSync(path.join(second, 'run.jsonl'), 'utf8'), /second/);
  });

  it('refuses ids that could leave the store', () => {
    assert.throws(() => moveRunToTrash(tempDir(), '../escape'), /Invalid run id/);
  });
});
