import fs from 'node:fs';
import path from 'node:path';
import { LOGS_FILE } from './jobFiles.ts';
import { LogTail } from './logTail.ts';

export interface FollowOptions {
  /** True once nothing more will be written: the follower reads what is left and stops. */
  isFinished(): boolean;
  pollMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_POLL_MS = 200;

/** Passes the run's logs.txt to `write` from its start, then what is appended, until the run is finished. */
export async function followLog(dir: string, write: (text: string) => void, options: FollowOptions): Promise<void> {
  const tail = new LogTail(path.join(dir, LOGS_FILE), write);
  while (!options.signal?.aborted) {
    // Checked before reading: what the run wrote before it finished is still read below.
    const finished = options.isFinished();
    tail.readNow();
    if (finished) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
  }
  tail.stop();
}

export function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, LOGS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
