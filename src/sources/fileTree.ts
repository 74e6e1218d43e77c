import fs from 'node:fs';
import path from 'node:path';

/**
 * The files under `dir`, as paths relative to it with '/' separators (the way trackers spell names that hold
 * '/'), sorted. Empty when `dir` does not exist.
 */
export function listFilesDeep(dir: string): string[] {
  const files: string[] = [];
  const visit = (absolute: string, relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absolute, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(path.join(absolute, entry.name), name);
      else if (entry.isFile()) files.push(name);
    }
  };
  visit(dir, '');
  return files.sort();
}

/** A name made of '/'-separated segments as a path under `dir`; undefined when a segment could leave `dir`. */
export function nestedPath(dir: string, name: string): string | undefined {
  const segments = name.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || /[\\\0]/.test(segment))) return undefined;
  return path.join(dir, ...segments);
}

export function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}
