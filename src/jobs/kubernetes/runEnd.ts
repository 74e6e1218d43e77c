import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../../platform/atomicFile.ts';
import { withFileLock } from '../../platform/fileLock.ts';
import { type EndStatus, applyRunLine, emptyRunRecordState } from '../../runs/records.ts';
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
  // Folded as the store's reader folds them, so an end record means here what it means in every view.
  const state = emptyRunRecordState();
  for (const line of text.split('\n')) {
    if (!line.includes('"end"')) continue;
    try {
      applyRunLine(state, line);
    } catch {
      // A torn or malformed line is no end record.
    }
  }
  if (!state.endStatus) return undefined;
  return { status: state.endStatus, ...(state.exitCode === undefined ? {} : { exitCode: state.exitCode }) };
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
