import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { profileTable } from '../../../src/datasets/profileTable.ts';
import { tempDir } from '../../support/tempStore.ts';

function write(name: string, content: string | ArrayBuffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, typeof content === 'string' ? content : new Uint8Array(content));
  return file;
}

describe('profileTable', () => {
  it('types CSV columns: whole numbers integer, other numbers float, anything else string', async () => {
    const file = write('table.csv', 'n,x,s,m\n1,1.5,a,\n2,NaN,3,4\n-3,2,c,5\n');
    assert.deepEqual(await profileTable(file), {
      rows: 3,
      columns: [{ name: 'n', type: 'integer' }, { name: 'x', type: 'float' }, { name: 's', type: 'string' }, { name: 'm', type: 'integer' }],
      problems: [],
    });
  });

  it('reads TSV with tabs, and JSON Lines objects, reporting lines that are not objects', async () => {
    assert.deepEqual(await profileTable(write('table.tsv', 'a\tb\n1\tx,y\n')), { rows: 1, columns: [{ name: 'a', type: 'integer' }, { name: 'b', type: 'string' }], problems: [] });
    const jsonl = await profileTable(write('table.jsonl', '{"a":1,"b":"x"}\nnot json\n{"a":2.5,"c":true}\n'));
    assert.deepEqual([jsonl.rows, jsonl.columns], [2, [{ name: 'a', type: 'float' }, { name: 'b', type: 'string' }, { name: 'c', type: 'string' }]]);
    assert.equal(jsonl.problems.length, 1);
    assert.match(jsonl.problems[0] ?? '', /^line 2: /);
  });

  it("reads a Parquet file's row count and schema from its footer", async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: [1, 2, 3], type: 'INT32' },
        { name: 'big', data: [1n, 2n, 3n], type: 'INT64' },
        { name: 'score', data: [0.5, 1.5, 2.5], type: 'DOUBLE' },
        { name: 'label', data: ['a', 'b', 'c'], type: 'STRING' },
        { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
        { name: 'at', data: [new Date(0), new Date(1), new Date(2)], type: 'TIMESTAMP' },
      ],
    });
    assert.deepEqual(await profileTable(write('table.parquet', buffer)), {
      rows: 3,
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'big', type: 'integer' },
        { name: 'score', type: 'float' },
        { name: 'label', type: 'string' },
        { name: 'ok', type: 'boolean' },
        { name: 'at', type: 'timestamp' },
      ],
      problems: [],
    });
  });

  it('reports a file that is not Parquet instead of failing', async () => {
    const profile = await profileTable(write('broken.parquet', 'this is no parquet file at all'));
    assert.equal(profile.rows, undefined);
    assert.equal(profile.problems.length, 1);
    assert.match(profile.problems[0] ?? '', /Parquet footer/);
  });

  it('leaves files that are not tables alone', async () => {
    assert.deepEqual(await profileTable(write('model.bin', 'a,b\n1,2\n')), { problems: [] });
  });
});
