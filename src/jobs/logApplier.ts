import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { encodeJsonNumber } from '../platform/jsonNumbers.ts';
import { METRICS_FILE, RUN_FILE } from '../store/layout.ts';
import { latestDatasetVersion } from './datasetVersions.ts';
import { LOGS_FILE, type JobState, readJobState, reportJobProblem, writeJobState } from './jobFiles.ts';
import { type ProtocolRecord, parseProtocolLine } from './stdoutProtocol.ts';

export interface LogApplyOptions {
  storeDir: string;
  /** The run directory. */
  dir: string;
  /** The job has ended: a last line without its newline is complete too. */
  final?: boolean;
}

const CHUNK_BYTES = 1024 * 1024;
/** A line longer than this is plain log however it starts: it is passed over rather than buffered. */
const MAX_PROTOCOL_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Applies the protocol records of logs.txt that were not applied yet, then saves how far it got in
 * job-state.json: called again, after a reload or by another process, it adds nothing twice. A line is applied
 * once complete (with its newline), so a record split across writes is read whole. Returns the records applied.
 */
export function applyNewLogLines(options: LogApplyOptions): number {
  const { dir } = options;
  const state = readJobState(dir);
  const collected = new RecordBatch(options.storeDir, dir, state);
  const end = scanLines(path.join(dir, LOGS_FILE), state.logOffset, options.final ?? false, (line, text) => collected.add(line, text), state.logLines);
  if (end.offset === state.logOffset) return 0;
  collected.flush();
  writeJobState(dir, { ...readJobState(dir), logOffset: end.offset, logLines: end.lines, pendingModels: state.pendingModels });
  return collected.count;
}

class RecordBatch {
  count = 0;
  private readonly runLines: string[] = [];
  private readonly metricLines: string[] = [];
  private readonly storeDir: string;
  private readonly dir: string;
  private readonly state: JobState;

  constructor(storeDir: string, dir: string, state: JobState) {
    this.storeDir = storeDir;
    this.dir = dir;
    this.state = state;
  }

  add(line: number, text: string): void {
    const parsed = parseProtocolLine(text);
    if (parsed.type === 'log') return;
    if (parsed.type === 'malformed') {
      reportJobProblem(this.dir, `${LOGS_FILE}:${line}: ${parsed.message} (line not applied)`);
      return;
    }
    this.count += 1;
    this.apply(parsed.record, line);
  }

  private apply(record: ProtocolRecord, line: number): void {
    switch (record.kind) {
      case 'metric': {
        const point: Record<string, unknown> = { name: record.name };
        if (record.step !== undefined) point.step = record.step;
        point.value = encodeJsonNumber(record.value);
        point.time = record.time ?? Date.now();
        this.metricLines.push(JSON.stringify(point));
        return;
      }
      case 'params':
      case 'tags':
        this.runLines.push(JSON.stringify({ type: record.kind, values: record.values }));
        return;
      case 'input': {
        const version = record.version ?? latestDatasetVersion(this.storeDir, record.dataset);
        this.runLines.push(JSON.stringify({ type: 'input', dataset: record.dataset, ...(version === undefined ? {} : { version }) }));
        return;
      }
      case 'model':
        this.state.pendingModels.push({ name: record.name, ...(record.path === undefined ? {} : { path: record.path }), line });
        return;
    }
  }

  flush(): void {
    if (this.runLines.length > 0) appendLines(path.join(this.dir, RUN_FILE), this.runLines);
    if (this.metricLines.length > 0) appendLines(path.join(this.dir, METRICS_FILE), this.metricLines);
  }
}

/** Calls `onLine` for each line from `offset` on; returns the offset and line count after the last one consumed. */
function scanLines(file: string, offset: number, final: boolean, onLine: (line: number, text: string) => void, linesBefore: number): { offset: number; lines: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { offset, lines: linesBefore };
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let consumed = offset;
    let lines = linesBefore;
    let pending = Buffer.alloc(0);
    let position = offset;
    while (position < size) {
      const read = fs.readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, size - position), position);
      if (read === 0) break;
      position += read;
      let data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let newline = data.indexOf(NEWLINE);
      while (newline >= 0) {
        lines += 1;
        onLine(lines, data.subarray(0, newline).toString('utf8'));
        consumed += newline + 1;
        data = data.subarray(newline + 1);
        newline = data.indexOf(NEWLINE);
      }
      if (data.length > MAX_PROTOCOL_LINE_BYTES) {
        // Plain log without line ends (a progress bar, binary output): consume it as one line, unread.
        lines += 1;
        consumed += data.length;
        data = Buffer.alloc(0);
      }
      pending = Buffer.from(data);
    }
    if (final && pending.length > 0) {
      lines += 1;
      onLine(lines, pending.toString('utf8'));
      consumed += pending.length;
    }
    return { offset: consumed, lines };
  } finally {
    fs.closeSync(fd);
  }
}
