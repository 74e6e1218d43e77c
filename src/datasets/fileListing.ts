import fs from 'node:fs';
import path from 'node:path';

/** A file of a dataset (or model) and what its hash cache entry is keyed on. */
export interface ListedFile {
  /** Relative to the target directory with '/' separators; '' when the target is the file itself. */
  relative: string;
  absolute: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface TargetListing {
  kind: 'file' | 'directory';
  /** Sorted by the UTF-8 bytes of `relative` (code point order, as Python's `sorted()` orders str). */
  files: ListedFile[];
  size: number;
}

/** The path does not exist: nothing can be hashed or recorded. */
export class MissingPathError extends Error {
  readonly path: string;

  constructor(target: string) {
    super(`${target}: no such file or directory`);
    this.path = target;
  }
}

/**
 * Every regular file under `target` (or `target` itself), with the stat fields the hash cache compares. Symbolic
 * links are followed, except into a directory that is already being walked (a cycle); a link to nothing is left out.
 */
export function listTargetFiles(target: string): TargetListing {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new MissingPathError(target);
  if (stat.isFile()) return { kind: 'file', files: [listed('', target, stat)], size: stat.size };
  if (!stat.isDirectory()) throw new Error(`${target}: neither a file nor a directory`);
  const files: ListedFile[] = [];
  const walking = new Set<string>();
  const visit = (absolute: string, relative: string) => {
    const real = fs.realpathSync.native(absolute);
    if (walking.has(real)) return;
    walking.add(real);
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      const childAbsolute = path.join(absolute, entry.name);
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      const childStat = entry.isFile() || entry.isSymbolicLink() ? fs.statSync(childAbsolute, { throwIfNoEntry: false }) : undefined;
      if (entry.isDirectory() || childStat?.isDirectory()) visit(childAbsolute, childRelative);
      else if (childStat?.isFile()) files.push(listed(childRelative, childAbsolute, childStat));
    }
    walking.delete(real);
  };
  visit(target, '');
  const keys = new Map(files.map((file) => [file, Buffer.from(file.relative)]));
  files.sort((a, b) => Buffer.compare(keys.get(a) as Buffer, keys.get(b) as Buffer));
  return { kind: 'directory', files, size: files.reduce((total, file) => total + file.size, 0) };
}

function listed(relative: string, absolute: string, stat: fs.Stats): ListedFile {
  return { relative, absolute, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}
