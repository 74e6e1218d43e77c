import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { STAT_FIELDS, statInWorker } from '../../src/platform/parallelStat.ts';
import { tempDir } from '../support/tempStore.ts';

describe('statInWorker', () => {
  it('returns size, mtime and inode per path, and -1 for a missing path, as the calling thread would see them', async () => {
    const dir = tempDir();
    const files = ['a.jsonl', 'b.jsonl'].map((name, index) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, 'x'.repeat(index * 10 + 3));
      return file;
    });
    const table = await statInWorker([files[0] as string, path.join(dir, 'missing'), files[1] as string]);
    assert.equal(table.length, 3 * STAT_FIELDS);
    for (const [row, file] of [[0, files[0]], [2, files[1]]] as const) {
      const stat = fs.statSync(file as string);
      assert.deepEqual([...table.subarray(row * STAT_FIELDS, row * STAT_FIELDS + 3)], [stat.size, stat.mtimeMs, stat.ino]);
    }
    assert.equal(table[STAT_FIELDS], -1);
  });
});
