import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../../platform/atomicFile.ts';
import { withFileLock } from '../../platform/fileLock.ts';
import type { EndStatus } from '../../runs/records.ts';
import { RUN_FILE, runDir } from '../../store/layout.ts';

const END_LOCK = 'end.lock';

/**
 * Appends the run's end record unless it has one: the tracker and a cancel (in this or another process) may both
 * see a Kubernetes run end, and only the first one to get here records it. Returns whether this call wrote it.
 */
export async function endRunOnce(storeDir: string, runId: string, end: { status: EndStatus; exitCode?: number; time?: number }): Promise<boolean> {
  const dir = runDir(storeDir, runId);
  return withFileLock(path.join(dir, END_LOCK), () => {
    if (hasEndRecord(path.join(dir, RUN_FILE))) return false;
    const record: Record<string, unknown> = { type: 'end', time: end.time ?? Date.now(), status: end.status };
    if (end.exitCode !== undefined) record.exitCode = end.exitCode;
    appendLines(path.join(dir, RUN_FILE), [JSON.stringify(record)]);
    return true;
  });
}

function hasEndRecord(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((line) => {
    if (!line.includes('"end"')) return false;
    try {
      return (JSON.parse(line) as { type?: unknown }).type === 'end';
    } catch {
      return false;
    }
  });
}
