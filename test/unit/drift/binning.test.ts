import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramCounts, linspace, quantileEdges, sturgesEdges } from '../../../src/drift/stats/binning.ts';
import { golden, sampleOf, value } from '../../drift/golden/goldenStats.ts';

describe('binning, golden against numpy.histogram_bin_edges / numpy.histogram / numpy.quantile', () => {
  const cases = golden.numeric.map((c) => ({ ...c, reference: sampleOf(c.reference), current: sampleOf(c.current) }));

  it('has Sturges edges bit for bit equal to numpy on the combined and the reference samples', () => {
    assert.ok(cases.length >= 10);
    for (const c of cases) {
      assert.deepEqual(sturgesEdges([...c.reference, ...c.current]), c.edges.map(value));
      assert.deepEqual(sturgesEdges(c.reference), c.sturgesReference.map(value));
      assert.deepEqual(sturgesEdges(Float64Array.from(c.reference)), c.sturgesReference.map(value));
    }
  });

  it('counts like numpy.histogram with explicit edges (left-closed bins, last bin closed, outside ignored)', () => {
    for (const c of cases) {
      const edges = c.edges.map(value);
      assert.deepEqual(histogramCounts(c.reference, edges), c.referenceCounts);
      assert.deepEqual(histogramCounts(c.current, edges), c.currentCounts);
      const probe = [...edges, edges[0]! - 1, edges.at(-1)! + 1, ...edges.slice(0, -1).map((edge, i) => (edge + edges[i + 1]!) / 2)];
      assert.deepEqual(histogramCounts(probe, edges), c.probeCounts);
    }
  });

  it('has quantile edges bit for bit equal to numpy.quantile (linear)', () => {
    for (const c of cases) {
      assert.deepEqual(quantileEdges(c.reference, 10), c.quantileEdges.map(value));
      assert.deepEqual(quantileEdges(c.current, 7), c.quantileEdges7.map(value));
    }
  });
});

describe('binning, hand-checked values', () => {
  it('gives a constant column the single bin [v - 0.5, v + 0.5]', () => {
    assert.deepEqual(sturgesEdges([2, 2, 2, 2]), [1.5, 2.5]);
    assert.deepEqual(histogramCounts([2, 2, 2, 2], [1.5, 2.5]), [4]);
  });

  it('uses ceil(log2 n) + 1 equal bins over min..max', () => {
    // n = 8: log2 8 + 1 = 4 bins
    assert.deepEqual(sturgesEdges([0, 1, 2, 3, 4, 5, 6, 8]), [0, 2, 4, 6, 8]);
    assert.equal(sturgesEdges(Array.from({ length: 1000 }, (_, i) => i)).length, 12);
  });

  it('takes ceil(ptp / width) like numpy, which can add a bin at a power-of-two n', () => {
    // numpy.histogram_bin_edges(x, 'sturges') has 12 bins, not log2(1024) + 1 = 11, for 1023 zeros and 0.10499049999999999
    const values = new Array<number>(1024).fill(0);
    values[1023] = 0.10499049999999999;
    const edges = sturgesEdges(values);
    assert.equal(edges.length, 13);
    assert.equal(edges[0], 0);
    assert.equal(edges[12], 0.10499049999999999);
  });

  it('includes the right edge only in the last bin', () => {
    assert.deepEqual(histogramCounts([0, 1, 2, 3, 3, -0.1, 3.1, Number.NaN], [0, 1, 2, 3]), [1, 1, 3]);
  });

  it('matches numpy.linspace and numpy.quantile on small inputs', () => {
    assert.deepEqual(linspace(0, 1, 11), [0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1]);
    assert.deepEqual(quantileEdges([4, 1, 3, 2], 4), [1, 1.75, 2.5, 3.25, 4]);
    assert.deepEqual(quantileEdges([7], 2), [7, 7, 7]);
  });
});
