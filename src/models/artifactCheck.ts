import path from 'node:path';
import { MissingPathError } from '../datasets/fileListing.ts';
import { hashPath } from '../datasets/hashTree.ts';
import { CACHE_DIR } from '../store/layout.ts';

export interface HashOptions {
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface ArtifactHash {
  hash: string;
  size: number;
  files: number;
}

export type ArtifactStatus = 'ok' | 'changed' | 'missing' | 'unreadable';

export interface ArtifactCheck {
  status: ArtifactStatus;
  /** Absolute. */
  path: string;
  /** What the artifact hashes to now ('ok' and 'changed'). */
  hash?: string;
  size?: number;
  /** Why it could not be read ('unreadable'). */
  error?: string;
}

/** The path a version record keeps: relative to the workspace folder with `/` separators, or absolute outside it. */
export function recordedArtifactPath(folder: string, absolutePath: string): string {
  const relative = path.relative(folder, absolutePath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return absolutePath;
  return relative.split(path.sep).join('/');
}

export function resolveArtifactPath(folder: string, recordedPath: string): string {
  return path.resolve(folder, recordedPath);
}

/**
 * Hashes a model artifact, a file or a directory. File hashes are cached in the store's cache (shared with
 * datasets), so hashing it again to verify it reads only the files whose size, mtime or inode changed. Throws
 * MissingPathError when there is nothing at the path.
 */
export function hashArtifact(storeDir: string, absolutePath: string, options: HashOptions = {}): Promise<ArtifactHash> {
  return hashPath(absolutePath, { cacheFile: path.join(storeDir, CACHE_DIR, 'file-hashes.json'), ...options });
}

/**
 * Whether each registered artifact is still what was registered: same hash, changed, or gone. Versions that name
 * the same path (a training script that overwrites out/model.pt) share one hashing of it.
 */
export function verifyArtifacts(storeDir: string, folder: string, registered: readonly { path: string; hash: string }[], options: HashOptions = {}): Promise<ArtifactCheck[]> {
  const current = new Map<string, Promise<ArtifactCheck>>();
  return Promise.all(
    registered.map(async (version) => {
      const absolutePath = resolveArtifactPath(folder, version.path);
      let check = current.get(absolutePath);
      if (!check) current.set(absolutePath, (check = checkPath(storeDir, absolutePath, options)));
      const found = await check;
      return found.hash === undefined ? found : { ...found, status: found.hash === version.hash ? 'ok' : 'changed' };
    }),
  );
}

/** What is at the path now: its hash (the caller compares it), or why there is none. */
async function checkPath(storeDir: string, absolutePath: string, options: HashOptions): Promise<ArtifactCheck> {
  try {
    const { hash, size } = await hashArtifact(storeDir, absolutePath, options);
    return { status: 'ok', path: absolutePath, hash, size };
  } catch (error) {
    if (error instanceof MissingPathError) return { status: 'missing', path: absolutePath };
    if (options.signal?.aborted || !(error instanceof Error)) throw error;
    return { status: 'unreadable', path: absolutePath, error: error.message };
  }
}
