import fs from 'node:fs';
import path from 'node:path';
import { parseObjectLine } from '../../runs/records.ts';
import { RUN_FILE } from '../../store/layout.ts';
import type { JobBackend } from '../kubernetes/kubernetesRun.ts';

/** What the Jobs view needs from a job run's start record beyond what the run summary folds. */
export interface JobStart {
  backend: JobBackend;
  /** Local runs: the GPUs nvidia-smi listed; undefined when the record does not say. */
  gpus?: number;
  /** Kubernetes runs: the context they were submitted to. */
  context?: string;
}

/** The start record is the first line a runner writes: reading this much of run.jsonl finds it. */
const HEAD_BYTES = 64 * 1024;

/** The start record's backend, GPUs and placement; undefined while the run has no start record. */
export function readJobStart(dir: string): JobStart | undefined {
  const head = readHead(path.join(dir, RUN_FILE));
  for (const line of head.split('\n')) {
    const record = parseRecord(line);
    if (record?.type === 'start') return jobStartOf(record);
  }
  return undefined;
}

/** A start record: `backend` and `kubernetes: {context, ...}` from the Kubernetes submitter, `gpus` from the local runner. */
function jobStartOf(record: Record<string, unknown>): JobStart {
  const kubernetes = record.kubernetes && typeof record.kubernetes === 'object' ? (record.kubernetes as Record<string, unknown>) : undefined;
  const start: JobStart = { backend: record.backend === 'kubernetes' || kubernetes ? 'kubernetes' : 'local' };
  if (typeof kubernetes?.context === 'string') start.context = kubernetes.context;
  if (Array.isArray(record.gpus)) start.gpus = record.gpus.length;
  else if (typeof record.gpus === 'number' && Number.isInteger(record.gpus) && record.gpus >= 0) start.gpus = record.gpus;
  return start;
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.trim()) return undefined;
  try {
    return parseObjectLine(line);
  } catch {
    return undefined;
  }
}

function readHead(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const read = fs.readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
