import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RUN_PALETTE, assignRunColors, runColor, runColorIndex } from '../../../src/compare/runColors.ts';
import { seededRandom } from '../../support/tempStore.ts';

function luminance(hex: string): number {
  const [red, green, blue] = [1, 3, 5].map((start) => {
    const channel = Number.parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

describe('run colors', () => {
  it('has at least 20 distinct colors that stand out on light, dark and high-contrast backgrounds', () => {
    assert.ok(RUN_PALETTE.length >= 20);
    assert.equal(new Set(RUN_PALETTE).size, RUN_PALETTE.length);
    for (const color of RUN_PALETTE) {
      assert.match(color, /^#[0-9a-f]{6}$/);
      for (const background of ['#ffffff', '#000000', '#1e1e1e']) assert.ok(contrast(color, background) >= 3, `${color} on ${background}`);
    }
  });

  it('hashes a run id with FNV-1a into the palette, the same every time', () => {
    // Published FNV-1a 32-bit test vectors.
    assert.equal(runColorIndex('a'), 0xe40c292c % RUN_PALETTE.length);
    assert.equal(runColorIndex('foobar'), 0xbf9cf968 % RUN_PALETTE.length);
    assert.equal(runColor('20260301-101500-ab12'), RUN_PALETTE[runColorIndex('20260301-101500-ab12')]);
    assert.equal(runColor('20260301-101500-ab12'), runColor('20260301-101500-ab12'));
  });

  it('keeps each run its own color when none collide', () => {
    const byIndex = new Map<number, string>();
    for (let index = 0; byIndex.size < 5; index++) byIndex.set(runColorIndex(`run-${index}`), `run-${index}`);
    const runIds = [...byIndex.values()];
    assert.deepEqual(assignRunColors(runIds), new Map(runIds.map((runId) => [runId, runColor(runId)])));
  });

  it('gives colliding runs different colors, whatever order they come in', () => {
    const runIds = Array.from({ length: 20 }, (_, index) => `run-${index}`);
    assert.ok(new Set(runIds.map(runColorIndex)).size < runIds.length, 'the ids collide');
    const colors = assignRunColors(runIds);
    assert.equal(new Set(colors.values()).size, runIds.length);
    const first = [...runIds].sort()[0] as string;
    assert.equal(colors.get(first), runColor(first));
    for (let seed = 1; seed <= 5; seed++) assert.deepEqual(assignRunColors(shuffled(runIds, seed)), colors);
  });

  it('reuses colors evenly when there are more runs than colors', () => {
    const runIds = Array.from({ length: 2 * RUN_PALETTE.length + 3 }, (_, index) => `run-${index}`);
    const colors = assignRunColors([...runIds, ...runIds.slice(0, 4)]);
    assert.equal(colors.size, runIds.length);
    const uses = new Map<string, number>();
    for (const color of colors.values()) uses.set(color, (uses.get(color) ?? 0) + 1);
    assert.equal(uses.size, RUN_PALETTE.length);
    assert.ok([...uses.values()].every((count) => count === 2 || count === 3));
  });
});
