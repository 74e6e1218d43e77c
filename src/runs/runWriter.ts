import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { encodeJsonNumber } from '../platform/jsonNumbers.ts';
import type { EndStatus, GitInfo } from './records.ts';
import { METRICS_FILE, RUN_FILE, newRunId, runDir } from '../store/layout.ts';

export interface NewRun {
  id?: string;
  experiment?: string;
  name?: string;
  command?: string[];
  git?: GitInfo;
  params?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  time?: number;
  host?: string;
  pid?: number;
}

export interface MetricValue {
  name: string;
  step: number;
  value: number;
  time?: number;
}

export function metricLine(metric: MetricValue): string {
  const record: Record<string, unknown> = { name: metric.name, step: metric.step, value: encodeJsonNumber(metric.value) };
  if (metric.time !== undefined) record.time = metric.time;
  return JSON.stringify(record);
}

/** Writes one run in the store format. Every write is an append of whole lines, safe beside other appenders. */
export class RunWriter {
  readonly id: string;
  readonly dir: string;

  private constructor(id: string, dir: string) {
    this.id = id;
    this.dir = dir;
  }

  static create(storeDir: string, run: NewRun = {}): RunWriter {
    const time = run.time ?? Date.now();
    const id = run.id ?? newRunId(new Date(time));
    const dir = runDir(storeDir, id);
    fs.mkdirSync(dir, { recursive: true });
    const writer = new RunWriter(id, dir);
    const start: Record<string, unknown> = { type: 'start', time, host: run.host ?? os.hostname(), pid: run.pid ?? process.pid };
    if (run.experiment !== undefined) start.experiment = run.experiment;
    if (run.name !== undefined) start.name = run.name;
    if (run.command !== undefined) start.command = run.command;
    if (run.git !== undefined) start.git = run.git;
    const lines = [JSON.stringify(start)];
    if (run.params) lines.push(JSON.stringify({ type: 'params', values: run.params }));
    if (run.tags) lines.push(JSON.stringify({ type: 'tags', values: run.tags }));
    appendLines(path.join(dir, RUN_FILE), lines);
    return writer;
  }

  params(values: Record<string, unknown>): void {
    appendLines(path.join(this.dir, RUN_FILE), [JSON.stringify({ type: 'params', values })]);
  }

  tags(values: Record<string, unknown>): void {
    appendLines(path.join(this.dir, RUN_FILE), [JSON.stringify({ type: 'tags', values })]);
  }

  metrics(points: readonly MetricValue[]): void {
    appendLines(path.join(this.dir, METRICS_FILE), points.map(metricLine));
  }

  end(status: EndStatus, exitCode?: number, time: number = Date.now()): void {
    const record: Record<string, unknown> = { type: 'end', time, status };
    if (exitCode !== undefined) record.exitCode = exitCode;
    appendLines(path.join(this.dir, RUN_FILE), [JSON.stringify(record)]);
  }
}
