import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { withFileLock } from '../platform/fileLock.ts';
import { readNewLines } from '../platform/jsonlCursor.ts';
import { type ModelRecord, type ModelState, ModelFold, isValidModelName } from './modelRecords.ts';

const MODELS_DIR = 'models';

export function modelsDir(storeDir: string): string {
  return path.join(storeDir, MODELS_DIR);
}

export function modelFile(storeDir: string, name: string): string {
  if (!isValidModelName(name)) throw new Error(`Invalid model name "${name}": use letters, digits, ".", "_" and "-".`);
  return path.join(modelsDir(storeDir), `${name}.jsonl`);
}

/** Names of the models with a records file, sorted. */
export function listRecordedModels(storeDir: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(modelsDir(storeDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return files.filter((file) => file.endsWith('.jsonl')).map((file) => file.slice(0, -'.jsonl'.length)).filter(isValidModelName).sort();
}

/**
 * A model's records folded; a model without a records file has no versions. Malformed lines are in `problems`, and
 * so, at line 0, is a records file that cannot be read: one bad model never keeps the others from being listed.
 */
export function readModel(storeDir: string, name: string): ModelState {
  const fold = new ModelFold(name);
  try {
    readNewLines(modelFile(storeDir, name), undefined, {
      line: (text, line) => fold.add(text, line),
      overlong: (line, bytes) => fold.problem(line, `line of ${bytes} bytes is longer than a record can be; skipped`),
    });
  } catch (error) {
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    fold.problem(0, `cannot read this file (${(error as Error).message})`);
  }
  return fold.finish();
}

/**
 * Runs `change` on the model's current state while no other process changes the model, and appends the records it
 * returns. Reading and appending under one lock is what keeps version numbers unique and one version in production.
 */
export async function changeModel<T>(storeDir: string, name: string, change: (state: ModelState) => { records: ModelRecord[]; result: T }): Promise<T> {
  const file = modelFile(storeDir, name);
  return withFileLock(`${file}.lock`, () => {
    const { records, result } = change(readModel(storeDir, name));
    appendLines(file, records.map((record) => JSON.stringify(record)));
    return result;
  });
}
