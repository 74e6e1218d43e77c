import fs from 'node:fs';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';

/** Large reads into one reused buffer: few system calls, and the WebAssembly hash keeps up (about 10 GB/s). */
export const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

let api: Promise<XXHashAPI> | undefined;

/** The xxh64 implementation, compiled once per thread. */
export function loadXxh64(): Promise<XXHashAPI> {
  api ??= xxhash();
  return api;
}

/** An xxh64 digest as the 16 hex digits everyone prints (Python's xxhash `hexdigest()`, `xxh64sum`). */
export function xxh64Hex(digest: bigint): string {
  return digest.toString(16).padStart(16, '0');
}

/**
 * Hashes a file's content, calling `onBytes` after each chunk, and returns the hex digest. It pauses (yields) after
 * each full chunk, where more data may follow, so the caller decides when to go on: straight away on a worker
 * thread, after other work on a thread that must stay responsive. Abandoning it (`return()`) closes the file.
 */
export function* xxh64FileSteps(hasher: XXHashAPI, file: string, buffer: Uint8Array, onBytes: (bytes: number) => void): Generator<void, string, void> {
  const fd = fs.openSync(file, 'r');
  try {
    const state = hasher.create64();
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      state.update(read === buffer.length ? buffer : buffer.subarray(0, read));
      onBytes(read);
      if (read === buffer.length) yield;
    }
    return xxh64Hex(state.digest());
  } finally {
    fs.closeSync(fd);
  }
}
