import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMlflowMetricFile } from '../../../src/sources/mlflowMetricFile.ts';
import { NumberScanner, parsePythonFloat } from '../../../src/sources/numberText.ts';
import { PointColumns } from '../../../src/sources/pointColumns.ts';
import { pythonFloat } from '../../fixtures/sources/mlflowWriters.ts';
import { seededRandom } from '../../support/tempStore.ts';

const SPACE = 32;

function scanFloat(text: string): number | undefined {
  const scanner = new NumberScanner();
  scanner.reset(text, 0, text.length);
  const value = scanner.float(SPACE);
  return scanner.atEnd() ? value : undefined;
}

describe('numbers as Python writes them', () => {
  it('reads the spellings of float() trackers write', () => {
    assert.equal(parsePythonFloat('0.5'), 0.5);
    assert.equal(parsePythonFloat('1e-05'), 1e-5);
    assert.equal(parsePythonFloat('-1.5E+20'), -1.5e20);
    assert.equal(parsePythonFloat('inf'), Infinity);
    assert.equal(parsePythonFloat('-Infinity'), -Infinity);
    assert.ok(Number.isNaN(parsePythonFloat('nan')));
    assert.ok(Number.isNaN(parsePythonFloat('NaN')));
    for (const text of ['', '-', '.', 'abc', '0x10', '1_000', '1e', '--1']) assert.equal(parsePythonFloat(text), undefined, text);
  });

  it('scans every float exactly as Number() does, fast path or not (seeded)', () => {
    const random = seededRandom(11);
    for (let index = 0; index < 20_000; index++) {
      const kind = index % 4;
      const value =
        kind === 0 ? random() : kind === 1 ? (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20) : kind === 2 ? Math.round(random() * 1e6) / 1e3 : Math.fround(random() * 100);
      const text = pythonFloat(value);
      assert.equal(scanFloat(text), Number(text), text);
      assert.equal(scanFloat(text), value, text);
    }
  });

  it('scans integers and stops at what is not one', () => {
    const scanner = new NumberScanner();
    scanner.reset('1700000000000 -3 x', 0, 18);
    assert.equal(scanner.int(), 1700000000000);
    assert.ok(scanner.skip(SPACE));
    assert.equal(scanner.int(), -3);
    assert.ok(scanner.skip(SPACE));
    assert.equal(scanner.int(), undefined);
  });
});

describe('MLflow metric file lines', () => {
  it('reads "timestamp value step" and "timestamp value", with blanks around', () => {
    const points = new PointColumns();
    const errors = parseMlflowMetricFile('1700000000000 0.5 3\n  1700000001000 nan 4  \r\n1700000002000 -inf\n\n1700000003000 1.25e-07 -1\n', points);
    assert.deepEqual(errors, []);
    assert.deepEqual(Array.from(points.steps.subarray(0, points.length)), [3, 4, 0, -1]);
    assert.deepEqual(Array.from(points.values.subarray(0, points.length)), [0.5, Number.NaN, -Infinity, 1.25e-7]);
    assert.deepEqual(Array.from(points.times.subarray(0, points.length)), [1700000000000, 1700000001000, 1700000002000, 1700000003000]);
  });

  it('says what is wrong with a line, by line number', () => {
    const points = new PointColumns();
    const errors = parseMlflowMetricFile('1700000000000\n1.5 0.5 1\n1 x 1\n1 0.5 1.5\n1 0.5 1 9\n1  0.5 1\n1 0.5 2\n', points);
    assert.deepEqual(errors, [
      { line: 1, message: 'expected "<timestamp> <value> [<step>]"' },
      { line: 2, message: 'the timestamp is not an integer' },
      { line: 3, message: 'the value is not a number' },
      { line: 4, message: 'the step is not an integer' },
      { line: 5, message: 'expected "<timestamp> <value> [<step>]", found more fields' },
      { line: 6, message: 'the value is not a number' },
    ]);
    assert.equal(points.length, 1);
  });
});
