import path from 'node:path';
import { type ListedFile, type TargetListing, listTargetFiles } from './fileListing.ts';
import { type CacheEntry, HashCache } from './hashCache.ts';
import { hashFiles } from './hashFiles.ts';
import { loadXxh64, xxh64Hex } from './xxh64File.ts';

export const HASH_PREFIX = 'xxh64:';

export interface HashPathOptions {
  /** Where file hashes are cached between calls (`<store>/cache/file-hashes.json`); none: every file is read. */
  cacheFile?: string;
  signal?: AbortSignal;
  /** Bytes hashed or taken from the cache so far, of all the target's bytes. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** The datasets worker script, to hash on worker threads; without it files are read on this thread. */
  workerScript?: string | URL;
}

export interface PathHash {
  /** `xxh64:<16 hex digits>`: a file's content, or a directory's sorted list of (relative path, file hash). */
  hash: string;
  size: number;
  files: number;
  /** Files read in this call: the others' hashes came from the cache. */
  hashedFiles: number;
}

/**
 * Hashes a file or a directory with xxh64. Files whose (path, size, mtime, inode) match the cache are not read
 * again, so an unchanged dataset hashes in the time it takes to stat it. Throws MissingPathError when `target`
 * does not exist; on abort, rejects with the signal's reason after caching the files already hashed.
 */
export async function hashPath(target: string, options: HashPathOptions = {}): Promise<PathHash> {
  const checkedAt = Date.now();
  const listing = listTargetFiles(target);
  const key = path.resolve(target);
  const cache = HashCache.load(options.cacheFile);
  const trusted = listing.files.map((file) => cache.trustedEntry(key, file));
  const hashes = trusted.map((entry) => entry?.[3]);
  const missingIndexes = hashes.flatMap((hash, index) => (hash === undefined ? [index] : []));
  const missing = missingIndexes.map((index) => listing.files[index] as ListedFile);
  let done = listing.size - missing.reduce((total, file) => total + file.size, 0);
  options.onProgress?.(done, listing.size);
  try {
    await hashFiles(
      missing.map((file) => ({ path: file.absolute, size: file.size })),
      (index, hash) => {
        hashes[missingIndexes[index] as number] = hash;
      },
      {
        ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onBytes: (bytes) => {
          done += bytes;
          options.onProgress?.(done, listing.size);
        },
      },
    );
  } finally {
    const entries = new Map<string, CacheEntry>();
    listing.files.forEach((file, index) => {
      const hash = hashes[index];
      const fresh: CacheEntry | undefined = hash === undefined ? undefined : [file.size, file.mtimeMs, file.ino, hash, checkedAt];
      const entry = trusted[index] ?? fresh;
      if (entry) entries.set(file.relative, entry);
    });
    cache.replaceTarget(key, entries);
    cache.save();
  }
  return { hash: await combineHashes(listing, hashes as string[]), size: listing.size, files: listing.files.length, hashedFiles: missing.length };
}

/** A file's hash is its content's; a directory's is over "relative path NUL file hash LF" lines in listing order. */
export async function combineHashes(listing: TargetListing, hashes: readonly string[]): Promise<string> {
  if (listing.kind === 'file') return HASH_PREFIX + (hashes[0] as string);
  const hasher = await loadXxh64();
  const lines = listing.files.map((file, index) => `${file.relative}\0${hashes[index] as string}\n`).join('');
  return HASH_PREFIX + xxh64Hex(hasher.h64(lines));
}
