import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../../platform/atomicFile.ts';
import { withFileLock } from '../../platform/fileLock.ts';
import type { EndStatus } from '../../runs/records.ts';
import type { KubernetesPhase } from './kubernetesRun.ts';
import { RUN_FILE, runDir } from '../../store/layout.ts';

const END_LOCK = 'end.lock';

export interface RecordedEnd {
  status: EndStatus;
  exitCode?: number;
}

/**
 * Appends the run's end record unless it has one: the tracker and a cancel (in this or another process) may both
 * see a Kubernetes run end, and only the first one to get here records it. Returns whether this call wrote it.
 */
export async function endRunOnce(storeDir: string, runId: string, end: { status: EndStatus; exitCode?: number; time?: number }): Promise<boolean> {
  const dir = runDir(storeDir, runId);
  return withFileLock(path.join(dir, END_LOCK), () => {
    if (readEndRecord(dir)) return false;
    const record: Record<string, unknown> = { type: 'end', time: end.time ?? Date.now(), status: end.status };
    if (end.exitCode !== undefined) record.exitCode = end.exitCode;
    appendLines(path.join(dir, RUN_FILE), [JSON.stringify(record)]);
    return true;
  });
}

/** The end record of the run in `dir`, when its run.jsonl has one (the last, should there be several). */
export function readEndRecord(dir: string): RecordedEnd | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, RUN_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let end: RecordedEnd | undefined;
  for (const line of text.split('\n')) {
    if (!line.includes('"end"')) continue;
    try {
      const record = JSON.parse(line) as { type?: unknown; status?: unknown; exitCode?: unknown };
      if (record.type !== 'end') continue;
      const exitCode = typeof record.exitCode === 'number' ? record.exitCode : undefined;
      const status: EndStatus = record.status === 'killed' || record.status === 'failed' || record.status === 'finished' ? record.status : exitCode ? 'failed' : 'finished';
      end = { status, ...(exitCode === undefined ? {} : { exitCode }) };
    } catch {
      // A torn line is no end record.
    }
  }
  return end;
}

/** The phases a run ends in, and the status its end record says for each. */
const END_STATUS_OF_PHASE: Partial<Record<KubernetesPhase, EndStatus>> = { succeeded: 'finished', failed: 'failed', killed: 'killed' };

export function isEndPhase(phase: KubernetesPhase): boolean {
  return END_STATUS_OF_PHASE[phase] !== undefined;
}

/** The end status of a run that ends in `phase`; a phase that is no end (the run stopped on the way) is `killed`. */
export function endStatusOf(phase: KubernetesPhase): EndStatus {
  return END_STATUS_OF_PHASE[phase] ?? 'killed';
}

export function phaseOfEnd(status: EndStatus): KubernetesPhase {
  const phases = Object.keys(END_STATUS_OF_PHASE) as KubernetesPhase[];
  return phases.find((phase) => END_STATUS_OF_PHASE[phase] === status) ?? 'killed';
}
