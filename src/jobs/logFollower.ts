import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LOGS_FILE } from './jobFiles.ts';

export interface FollowOptions {
  /** True once nothing more will be written: the follower reads what is left and stops. */
  isFinished(): boolean;
  pollMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_POLL_MS = 200;

/** Passes the run's logs.txt to `write` from its start, then what is appended, until the run is finished. */
export async function followLog(dir: string, write: (text: string) => void, options: FollowOptions): Promise<void> {
  const file = path.join(dir, LOGS_FILE);
  const decoder = new StringDecoder('utf8');
  let offset = 0;
  const readNew = () => {
    const read = readFrom(file, offset);
    offset += read.length;
    const text = decoder.write(read);
    if (text) write(text);
  };
  while (!options.signal?.aborted) {
    // Checked before reading: what the run wrote before it finished is still read below.
    const finished = options.isFinished();
    readNew();
    if (finished) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
  }
  const rest = decoder.end();
  if (rest) write(rest);
}

export function readLog(dir: string): string {
  return readFrom(path.join(dir, LOGS_FILE), 0).toString('utf8');
}

function readFrom(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const read = fs.readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
