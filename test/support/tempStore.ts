import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A fresh temporary directory, removed when the test file finishes. */
export function tempDir(prefix = 'mltrail-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a run directory from raw lines, exactly as given (no trailing newline is added). */
export function writeRunFiles(storeDir: string, id: string, files: { run?: string; metrics?: string }): string {
  const dir = path.join(storeDir, 'runs', id);
  fs.mkdirSync(dir, { recursive: true });
  if (files.run !== undefined) fs.writeFileSync(path.join(dir, 'run.jsonl'), files.run);
  if (files.metrics !== undefined) fs.writeFileSync(path.join(dir, 'metrics.jsonl'), files.metrics);
  return dir;
}

export function jsonl(...records: unknown[]): string {
  return records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record)) + '\n').join('');
}

/** A deterministic pseudo-random generator (mulberry32), so generated cases are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
