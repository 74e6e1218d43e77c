import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../platform/processLiveness.ts';

/** In the first run's directory of a launch while a process follows the launch on the cluster. */
const TRACKER_LOCK = 'tracker.lock';

/** Another live process on this machine (a window, `mltrail run`, `mltrail logs --follow`) is following the launch. */
export class TrackedElsewhere extends Error {
  readonly pid: number;

  constructor(pid: number) {
    super(`process ${pid} is already following this Kubernetes launch`);
    this.pid = pid;
  }
}

/**
 * Takes the launch for this process, so only one process copies its logs and events into the store; a lock left by
 * a process that is gone (or on another machine, whose processes cannot be checked) is taken over. Returns the
 * release function; throws TrackedElsewhere when a live process here holds it.
 */
export function claimLaunch(firstRunDir: string): () => void {
  const file = path.join(firstRunDir, TRACKER_LOCK);
  const mine = JSON.stringify({ host: os.hostname(), pid: process.pid });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return () => releaseIfMine(file, mine);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder && holder.host === os.hostname() && holder.pid !== process.pid && isProcessAlive(holder.pid)) throw new TrackedElsewhere(holder.pid);
    fs.rmSync(file, { force: true });
  }
  throw new Error(`cannot take ${file}: it keeps reappearing`);
}

function readHolder(file: string): { host: string; pid: number } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { host?: unknown; pid?: unknown };
    return typeof parsed.host === 'string' && typeof parsed.pid === 'number' ? { host: parsed.host, pid: parsed.pid } : undefined;
  } catch {
    return undefined;
  }
}

function releaseIfMine(file: string, mine: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === mine) fs.rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}
