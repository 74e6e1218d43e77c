import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform/atomicFile.ts';
import { CACHE_DIR } from '../store/layout.ts';
import type { ListedFile } from './fileListing.ts';

const CACHE_VERSION = 1;

/**
 * A file whose mtime is this close to the moment it was stat'ed may still be changing within one timestamp tick
 * (a second or two on some file systems): its hash is kept, but not trusted for a later hash (git's "racily clean").
 */
const RACY_WINDOW_MS = 2000;

/** What a file's hash was computed for: [size, mtimeMs, inode, xxh64 hex, when the file was stat'ed (epoch ms)]. */
export type CacheEntry = [size: number, mtimeMs: number, ino: number, hash: string, checkedAt: number];

/** The store's file hash cache, shared by dataset snapshots and model versions. */
export function hashCacheFile(storeDir: string): string {
  return path.join(storeDir, CACHE_DIR, 'file-hashes.json');
}

type TargetEntries = Map<string, CacheEntry>;

interface CacheFile {
  version: number;
  /** By absolute target path, then by the file's path relative to it ('' for a file target). */
  targets: Record<string, Record<string, CacheEntry>>;
}

function sameFile(entry: CacheEntry, file: ListedFile): boolean {
  return entry[0] === file.size && entry[1] === file.mtimeMs && entry[2] === file.ino;
}

/**
 * File hashes by (path, size, mtime, inode), so an unchanged dataset is not read again. Kept as one JSON file that
 * any number of processes share: a save merges into what is on disk, replacing only the targets this process
 * hashed, and a lost race only costs hashing those files again. Without a file, it lives for one call.
 */
export class HashCache {
  private readonly file: string | undefined;
  private readonly targets = new Map<string, TargetEntries>();
  private readonly touched = new Set<string>();

  private constructor(file: string | undefined) {
    this.file = file;
  }

  static load(file: string | undefined): HashCache {
    const cache = new HashCache(file);
    for (const [target, entries] of Object.entries(readCacheFile(file))) cache.targets.set(target, new Map(Object.entries(entries)));
    return cache;
  }

  /** The entry of `file` when it matches and was not racy when made; undefined when the file must be read. */
  trustedEntry(target: string, file: ListedFile): CacheEntry | undefined {
    const entry = this.targets.get(target)?.get(file.relative);
    return entry && sameFile(entry, file) && entry[1] < entry[4] - RACY_WINDOW_MS ? entry : undefined;
  }

  /** Whether `file` still has the size, mtime and inode it had when last hashed; undefined when never hashed. */
  matches(target: string, file: ListedFile): { hash: string; same: boolean } | undefined {
    const entry = this.targets.get(target)?.get(file.relative);
    return entry && { hash: entry[3], same: sameFile(entry, file) };
  }

  /** The target's entries become exactly these: files no longer listed are forgotten. */
  replaceTarget(target: string, entries: ReadonlyMap<string, CacheEntry>): void {
    const current = this.targets.get(target);
    if (current && current.size === entries.size && [...entries].every(([relative, entry]) => sameEntry(current.get(relative), entry))) return;
    this.targets.set(target, new Map(entries));
    this.touched.add(target);
  }

  /** Writes the targets replaced since loading, over the file's current content; drops targets that are gone. */
  save(): void {
    if (!this.file || this.touched.size === 0) return;
    const kept = Object.entries(readCacheFile(this.file)).filter(([target]) => !this.touched.has(target) && fs.existsSync(target));
    const replaced = [...this.touched].map((target) => [target, Object.fromEntries(this.targets.get(target) ?? [])] as const);
    const content: CacheFile = { version: CACHE_VERSION, targets: Object.fromEntries([...kept, ...replaced]) };
    const ignore = path.join(path.dirname(this.file), '.gitignore');
    if (!fs.existsSync(ignore)) writeFileAtomic(ignore, '# Written by MLTrail: a cache, safe to delete.\n*\n');
    writeFileAtomic(this.file, JSON.stringify(content));
    this.touched.clear();
  }
}

function sameEntry(a: CacheEntry | undefined, b: CacheEntry): boolean {
  return a !== undefined && a.every((value, index) => value === b[index]);
}

/** The cache's targets; empty when there is no file or it is unreadable (it is only a cache). */
function readCacheFile(file: string | undefined): CacheFile['targets'] {
  if (!file) return {};
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CacheFile>;
    if (parsed.version !== CACHE_VERSION || typeof parsed.targets !== 'object' || parsed.targets === null) return {};
    return Object.fromEntries(
      Object.entries(parsed.targets)
        .filter(([, entries]) => typeof entries === 'object' && entries !== null)
        .map(([target, entries]) => [target, Object.fromEntries(Object.entries(entries).filter(([, entry]) => isEntry(entry)))]),
    );
  } catch {
    return {};
  }
}

function isEntry(value: unknown): value is CacheEntry {
  return Array.isArray(value) && value.length === 5 && typeof value[3] === 'string' && [0, 1, 2, 4].every((index) => typeof value[index] === 'number');
}
