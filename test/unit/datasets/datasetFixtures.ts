// Helpers for the dataset tests (not a test file itself).
import fs from 'node:fs';
import path from 'node:path';
import xxhash from 'xxhash-wasm';

export const workerScript = new URL('../../../src/datasets/datasetsWorker.ts', import.meta.url);

/** Writes files (relative path -> content) under `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/**
 * Sets every file's mtime an hour back: data that has not been touched for a while, whose cached hashes are
 * trusted (a file modified within the last seconds is hashed again every time).
 */
export function ageFiles(target: string, secondsAgo = 3600): void {
  const when = Date.now() / 1000 - secondsAgo;
  const stat = fs.statSync(target);
  if (stat.isFile()) fs.utimesSync(target, when, when);
  else for (const entry of fs.readdirSync(target, { recursive: true, encoding: 'utf8' })) fs.utimesSync(path.join(target, entry), when, when);
}

/** xxh64 of bytes as 16 hex digits, computed directly: the expected value for the hashes under test. */
export async function xxh64Of(bytes: string | Uint8Array): Promise<string> {
  const api = await xxhash();
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return api.h64Raw(data).toString(16).padStart(16, '0');
}

/** Deterministic bytes, different for each seed. */
export function patternBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}
