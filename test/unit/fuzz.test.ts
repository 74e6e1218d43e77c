import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadWorkspaceConfig } from '../../src/store/config.ts';
import { parseMetricLine } from '../../src/runs/records.ts';
import { readRun } from '../../src/runs/runReader.ts';
import { RunIndex } from '../../src/runs/runIndex.ts';
import { jsonl, seededRandom, tempDir } from '../support/tempStore.ts';

const VALID_RUN = jsonl(
  { type: 'start', time: '2026-01-01T00:00:00Z', experiment: 'e', name: 'n', command: ['python', 'x.py'], host: 'h', pid: 7, git: { commit: 'a', dirty: false } },
  { type: 'params', values: { lr: 0.1, nested: { a: [1, 2] } } },
  { type: 'tags', values: { t: 'v' } },
  { type: 'end', time: 1767225600000, status: 'finished', exitCode: 0 },
);
const VALID_METRICS = jsonl(...Array.from({ length: 40 }, (_, step) => ({ name: step % 3 ? 'a/b' : 'c', step: step >> 1, value: step % 7 ? step / 3 : 'NaN', time: step })));

function mutate(text: string, random: () => number): Buffer {
  const bytes = Buffer.from(text);
  const edits = 1 + Math.floor(random() * 8);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(random() * bytes.length);
    const choice = random();
    if (choice < 0.5) bytes[at] = Math.floor(random() * 256);
    else if (choice < 0.7) bytes[at] = 0x0a;
    else if (choice < 0.85) bytes[at] = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x5c][Math.floor(random() * 8)] as number;
    else bytes.fill(0x20, at, Math.min(bytes.length, at + Math.floor(random() * 20)));
  }
  return bytes.subarray(0, random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length);
}

/**
 * What a reader must make of a metrics file, computed independently of the reader: complete lines split with
 * string methods, each judged well-formed or not, distinct (name, step) pairs counted per metric.
 */
function referenceFold(bytes: Buffer): { malformed: number; distinctSteps: Record<string, number> } {
  const text = bytes.toString('utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
  let malformed = 0;
  const steps = new Map<string, Set<number>>();
  complete.forEach((raw, index) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.trim() === '') return;
    let point: { name: string; step: number | undefined };
    try {
      point = parseMetricLine(line);
    } catch {
      malformed += 1;
      return;
    }
    const seen = steps.get(point.name) ?? new Set<number>();
    steps.set(point.name, seen);
    seen.add(point.step ?? (seen.size === 0 ? 0 : Math.max(...seen) + 1));
  });
  return { malformed, distinctSteps: Object.fromEntries([...steps].map(([name, seen]) => [name, seen.size])) };
}

describe('readers on random, mutated and truncated input', () => {
  it('never throw, never hang, and read every well-formed line of a damaged file', () => {
    const random = seededRandom(20261122);
    const dir = path.join(tempDir(), 'run');
    fs.mkdirSync(dir);
    const started = Date.now();
    for (let round = 0; round < 1500; round++) {
      const kind = random();
      const run = kind < 0.1 ? Buffer.from(Array.from({ length: Math.floor(random() * 400) }, () => Math.floor(random() * 256))) : mutate(VALID_RUN, random);
      const metrics = mutate(VALID_METRICS, random);
      fs.writeFileSync(path.join(dir, 'run.jsonl'), run);
      fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics);
      const entry = readRun(dir, 'run');
      assert.ok(entry, `round ${round}`);
      // Against a reference built here: every well-formed line is folded, every other complete line reported.
      const expected = referenceFold(metrics);
      const reported = entry.problems.filter((problem) => problem.file === 'metrics.jsonl').length + (entry.droppedProblems['metrics.jsonl'] ?? 0);
      assert.equal(reported, expected.malformed, `round ${round}: malformed lines`);
      const folded = Object.fromEntries(Object.entries(entry.metrics).map(([name, summary]) => [name, summary.count]));
      assert.deepEqual(folded, expected.distinctSteps, `round ${round}: points per metric`);
      // Appending to a damaged file resumes cleanly.
      fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '\n{"name":"tail","step":1,"value":1}\n');
      assert.equal(readRun(dir, 'run', entry)?.metrics.tail?.last, 1, `round ${round}`);
    }
    assert.ok(Date.now() - started < 60_000, 'no pathological slowness');
  });

  it('survive mltrail.json full of garbage', () => {
    const random = seededRandom(99);
    const folder = tempDir();
    for (let round = 0; round < 300; round++) {
      fs.writeFileSync(path.join(folder, 'mltrail.json'), mutate('{"version":1,"store":".mltrail","keyMetric":"val/loss","jobs":{}}', random));
      const config = loadWorkspaceConfig(folder);
      assert.equal(typeof config.storeDir, 'string');
    }
  });

  it('index a store of damaged runs, and a damaged cache', async () => {
    const random = seededRandom(5);
    const store = tempDir();
    for (let run = 0; run < 60; run++) {
      const dir = path.join(store, 'runs', `r${run}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'run.jsonl'), mutate(VALID_RUN, random));
      fs.writeFileSync(path.join(dir, 'metrics.jsonl'), mutate(VALID_METRICS, random));
    }
    const index = new RunIndex({ storeDir: store });
    assert.equal((await index.load()).added.length, 60);
    await index.saveCache();
    const cacheFile = path.join(store, 'cache', 'runs-index.json');
    for (let round = 0; round < 30; round++) {
      fs.writeFileSync(cacheFile, mutate(fs.readFileSync(cacheFile, 'utf8'), random));
      const warm = new RunIndex({ storeDir: store });
      const loaded = await warm.load();
      assert.equal(loaded.added.length, 60, `round ${round}`);
    }
  });
});
