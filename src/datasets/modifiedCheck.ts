import path from 'node:path';
import type { DatasetRecord } from './datasetRecords.ts';
import { MissingPathError, type TargetListing, listTargetFiles } from './fileListing.ts';
import type { HashCache } from './hashCache.ts';
import { HASH_PREFIX, combineHashes } from './hashTree.ts';

export interface ModifiedCheck {
  /** True: changed since the version; false: unchanged; undefined: cannot tell without hashing (snapshot to know). */
  modified: boolean | undefined;
  /** For people: what changed, or why it cannot be told. */
  reason: string;
}

/**
 * Whether a dataset's files changed since `latest` was recorded, reading no file: the files are stat'ed and
 * compared with the hash cache entries the snapshot left, and the hashes of those entries must add up to the
 * version's hash (so a cancelled or later hash of changed files is not taken for the version's).
 */
export async function checkModified(target: string, latest: DatasetRecord, cache: HashCache): Promise<ModifiedCheck> {
  const since = `v${latest.version}`;
  let listing: TargetListing;
  try {
    listing = listTargetFiles(target);
  } catch (error) {
    if (error instanceof MissingPathError) return { modified: true, reason: `${target} no longer exists` };
    throw error;
  }
  if (latest.files !== undefined && listing.files.length !== latest.files) return { modified: true, reason: `${listing.files.length} files, ${latest.files} in ${since}` };
  if (latest.size !== undefined && listing.size !== latest.size) return { modified: true, reason: `${listing.size} bytes, ${latest.size} in ${since}` };
  if (!latest.hash.startsWith(HASH_PREFIX)) return { modified: undefined, reason: `${since} was not hashed with xxh64: snapshot to compare` };
  const key = path.resolve(target);
  const hashes: string[] = [];
  let neverHashed = 0;
  for (const file of listing.files) {
    const cached = cache.matches(key, file);
    if (!cached) neverHashed++;
    else if (!cached.same) return { modified: true, reason: `${file.relative || path.basename(target)} changed since ${since}` };
    else hashes.push(cached.hash);
  }
  if (neverHashed > 0) return { modified: undefined, reason: `${neverHashed} files not hashed on this machine yet: snapshot to compare` };
  if ((await combineHashes(listing, hashes)) !== latest.hash) return { modified: true, reason: `the content differs from ${since}` };
  return { modified: false, reason: `unchanged since ${since}` };
}
