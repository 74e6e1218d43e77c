import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from './processLiveness.ts';

export interface FileLockOptions {
  /** A lock older than this is taken over even when its holder may still be alive. Default 30 s. */
  staleMs?: number;
  /** How long to wait for the lock before giving up with an error. Default 10 s. */
  timeoutMs?: number;
}

/** What a lock file holds: who took it, and a token so the holder only ever releases its own lock. */
interface LockHolder {
  pid?: number;
  host?: string;
  time?: number;
  token?: string;
}

/** A look at a lock file that exists: enough to tell later whether the file is still the same one. */
interface ObservedLock {
  raw: string;
  holder: LockHolder;
  ino: number;
  mtimeMs: number;
}

const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 100;

/**
 * Runs `action` while holding `lockFile`, an exclusive lock between processes (and between callers in one process).
 * The lock is a file created with O_EXCL; a lock left by a dead process on this host, or older than `staleMs`, is
 * taken over. Throws, naming the holder, when the lock is not free within `timeoutMs`.
 */
export async function withFileLock<T>(lockFile: string, action: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  const token = await acquire(lockFile, options.staleMs ?? 30_000, options.timeoutMs ?? 10_000);
  try {
    return await action();
  } finally {
    release(lockFile, token);
  }
}

async function acquire(lockFile: string, staleMs: number, timeoutMs: number): Promise<string> {
  const token = randomUUID();
  const deadline = Date.now() + timeoutMs;
  let wait = FIRST_WAIT_MS;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (;;) {
    if (tryCreate(lockFile, token)) return token;
    const observed = observe(lockFile);
    if (observed === undefined) continue; // released between our create and our look: try again at once
    if (isStale(observed, staleMs)) {
      removeStale(lockFile, observed);
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the lock ${lockFile}, ${describeHolder(observed.holder)}`);
    await sleep(Math.min(wait * (0.5 + Math.random()), Math.max(1, deadline - Date.now())));
    wait = Math.min(wait * 1.5, LONGEST_WAIT_MS);
  }
}

function tryCreate(lockFile: string, token: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), time: Date.now(), token };
    fs.writeSync(fd, JSON.stringify(holder));
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(lockFile, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  return true;
}

function observe(lockFile: string): ObservedLock | undefined {
  try {
    const stat = fs.statSync(lockFile);
    const raw = fs.readFileSync(lockFile, 'utf8');
    return { raw, holder: parseHolder(raw), ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(raw: string): LockHolder {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return {};
    const { pid, host, time, token } = value as Record<string, unknown>;
    return {
      pid: Number.isInteger(pid) && (pid as number) > 0 ? (pid as number) : undefined,
      host: typeof host === 'string' ? host : undefined,
      time: typeof time === 'number' ? time : undefined,
      token: typeof token === 'string' ? token : undefined,
    };
  } catch {
    // Empty while its creator is between open and write, or damaged: only its age can make it stale.
    return {};
  }
}

function isStale(lock: ObservedLock, staleMs: number): boolean {
  if (Date.now() - lock.mtimeMs > staleMs) return true;
  const { pid, host, time } = lock.holder;
  return pid !== undefined && host === os.hostname() && !isProcessAlive(pid, time);
}

/**
 * Removes a stale lock without ever removing a live one. Two waiters may judge the same lock stale; the first
 * renames it away and takes the lock. The second then renames the *new* lock away: it sees that the file is not the
 * one it judged and links it straight back (link never replaces a file, so it cannot clobber a third lock).
 */
function removeStale(lockFile: string, judged: ObservedLock): void {
  const aside = `${lockFile}.stale-${process.pid}-${randomUUID()}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const taken = observe(aside);
  const sameLock = taken !== undefined && taken.ino === judged.ino && taken.raw === judged.raw;
  if (!sameLock) {
    try {
      fs.linkSync(aside, lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Removes the lock only when it is still ours: after a stale takeover it belongs to someone else. */
function release(lockFile: string, token: string): void {
  const current = observe(lockFile);
  if (current?.holder.token === token) fs.rmSync(lockFile, { force: true });
}

function describeHolder(holder: LockHolder): string {
  if (holder.pid === undefined) return 'held by an unknown process';
  const since = holder.time === undefined ? '' : ` since ${new Date(holder.time).toISOString()}`;
  return `held by pid ${holder.pid} on ${holder.host ?? 'an unknown host'}${since}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
