import fs from 'node:fs';
import path from 'node:path';
import type { SourceProblem } from '../sources/externalSource.ts';
import { readYamlMapping } from '../sources/yamlFile.ts';

/** A file or directory that DVC tracks, as a `.dvc` file or `dvc.lock` describes it (DVC's hash, never recomputed). */
export interface DvcOutput {
  /** Relative to the workspace folder, '/'-separated. */
  path: string;
  absolutePath: string;
  /**
   * `md5:<hex>` (DVC 3; a directory's ends in `.dir`), `md5-dos2unix:<hex>` (DVC 2 files, whose text files were
   * hashed with CRLF turned to LF); undefined when DVC recorded no md5 (cloud-versioned outputs, say).
   */
  hash?: string;
  size?: number;
  files?: number;
  /** The `.dvc` file or `dvc.lock` that names it, relative to the workspace folder. */
  dvcFile: string;
  /** The pipeline stage that writes it, for `dvc.lock` outputs. */
  stage?: string;
}

export interface DvcOutputs {
  outputs: DvcOutput[];
  problems: SourceProblem[];
}

/** How far below the workspace folder `.dvc` files and `dvc.lock` are looked for, and how many folders at most. */
const MAX_DEPTH = 6;
const MAX_FOLDERS = 5000;
const NEVER_WALKED = new Set(['node_modules', '__pycache__', 'site-packages', 'venv']);

/**
 * DVC outputs of a workspace folder, from every `*.dvc` file and `dvc.lock` found. Hidden folders, tracked
 * outputs themselves (often huge), `skip` (absolute paths: the store, declared datasets) and the usual dependency
 * folders are not walked into.
 */
export function findDvcOutputs(folder: string, skip: readonly string[] = []): DvcOutputs {
  const outputs: DvcOutput[] = [];
  const problems: SourceProblem[] = [];
  const known = new Set<string>();
  const notWalked = new Set(skip.map((entry) => path.resolve(entry)));
  const add = (output: DvcOutput) => {
    if (known.has(output.absolutePath)) return;
    known.add(output.absolutePath);
    notWalked.add(output.absolutePath);
    outputs.push(output);
  };
  let folders = 0;
  const visit = (dir: string, depth: number) => {
    if (++folders > MAX_FOLDERS) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(dir, entry.name);
      if (entry.name === 'dvc.lock') readLockFile(folder, file, problems).forEach(add);
      else if (entry.name.endsWith('.dvc')) readDvcFile(folder, file, problems).forEach(add);
    }
    if (depth >= MAX_DEPTH) return;
    for (const entry of entries) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.') && !NEVER_WALKED.has(entry.name) && !notWalked.has(child)) visit(child, depth + 1);
    }
  };
  visit(path.resolve(folder), 0);
  if (folders > MAX_FOLDERS) problems.push({ path: folder, message: `stopped looking for .dvc files after ${MAX_FOLDERS} folders` });
  return { outputs, problems };
}

/** `outs: [{path, md5, size, nfiles, hash}]`, paths relative to the file's folder (and its `wdir`). */
function readDvcFile(folder: string, file: string, problems: SourceProblem[]): DvcOutput[] {
  const content = readYamlMapping(file, problems);
  if (typeof content !== 'object') return [];
  const wdir = typeof content.wdir === 'string' ? content.wdir : '.';
  return readOutputs(content.outs, { folder, file, base: path.resolve(path.dirname(file), wdir) }, problems);
}

/** `stages: {NAME: {outs: [...]}}` (schema 2.0), or stages at the top level (DVC 1). */
function readLockFile(folder: string, file: string, problems: SourceProblem[]): DvcOutput[] {
  const content = readYamlMapping(file, problems);
  if (typeof content !== 'object') return [];
  const stages = content.schema === undefined ? content : content.stages;
  if (stages === null || typeof stages !== 'object' || Array.isArray(stages)) {
    problems.push({ path: file, message: '"stages" must map stage names to their deps and outs' });
    return [];
  }
  return Object.entries(stages as Record<string, unknown>).flatMap(([stage, definition]) => {
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) return [];
    return readOutputs((definition as Record<string, unknown>).outs, { folder, file, base: path.dirname(file), stage }, problems);
  });
}

interface OutputContext {
  folder: string;
  file: string;
  base: string;
  stage?: string;
}

function readOutputs(outs: unknown, context: OutputContext, problems: SourceProblem[]): DvcOutput[] {
  if (outs === undefined || outs === null) return [];
  const where = context.stage === undefined ? '"outs"' : `stage "${context.stage}": "outs"`;
  if (!Array.isArray(outs)) {
    problems.push({ path: context.file, message: `${where} must be a list` });
    return [];
  }
  const outputs: DvcOutput[] = [];
  for (const out of outs) {
    const entry = typeof out === 'string' ? { path: out } : out;
    if (entry === null || typeof entry !== 'object' || typeof (entry as Record<string, unknown>).path !== 'string') {
      problems.push({ path: context.file, message: `${where}: an entry without a "path"; skipped` });
      continue;
    }
    const { path: outPath, md5, size, nfiles, hash } = entry as Record<string, unknown>;
    const absolutePath = path.resolve(context.base, outPath as string);
    outputs.push({
      path: path.relative(context.folder, absolutePath).split(path.sep).join('/'),
      absolutePath,
      ...(typeof md5 === 'string' ? { hash: `${hash === undefined ? 'md5-dos2unix' : String(hash)}:${md5}` } : {}),
      ...(Number.isInteger(size) ? { size: size as number } : {}),
      ...(Number.isInteger(nfiles) ? { files: nfiles as number } : {}),
      dvcFile: path.relative(context.folder, context.file).split(path.sep).join('/'),
      ...(context.stage !== undefined ? { stage: context.stage } : {}),
    });
  }
  return outputs;
}
