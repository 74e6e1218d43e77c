import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodLogCursor } from './kubernetesRun.ts';
import { WakeableDelay } from './wakeableDelay.ts';

// Follows one container's log through client-node's Log with timestamps, hands on each new complete line once, and
// keeps going after the follow stream ends early (client-node's known issue), a dropped connection or a reload: each
// new request asks for `sinceTime` = the cursor's last timestamp and skips the replayed lines the cursor says were
// copied.

export interface PodLogCopyOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  /** How far an earlier copy got; a fresh copy starts from `{ linesAtLastTimestamp: 0, complete: false }`. */
  cursor: PodLogCursor;
  /**
   * New complete lines, timestamps stripped, each ending with a newline, and the cursor just after them. Called once
   * per chunk received; the caller appends them and saves the cursor.
   */
  onLines(text: string, cursor: PodLogCursor): void;
  /** Whether the container has terminated, as far as the caller knows now. */
  containerTerminated(): boolean;
  /** Whether the pod still exists: a deleted pod's log cannot be read any more. */
  podExists(): boolean;
  onError?(error: unknown): void;
  initialRetryMs?: number;
  maxRetryMs?: number;
}

export interface PodLogCopy {
  /** Resolves with the final cursor: `complete` once the whole log was copied; not when stopped or the pod went. */
  readonly done: Promise<PodLogCursor>;
  /** The pod changed: try again now rather than when the retry delay ends. */
  nudge(): void;
  /** The run is ending: read what is left once more, then stop. */
  finish(): void;
  stop(): void;
}

const DEFAULT_INITIAL_RETRY_MS = 200;
const DEFAULT_MAX_RETRY_MS = 5_000;

type AttemptEnd = { kind: 'ended' } | { kind: 'failed'; error: unknown };

export function copyPodLog(options: PodLogCopyOptions): PodLogCopy {
  const initialRetryMs = options.initialRetryMs ?? DEFAULT_INITIAL_RETRY_MS;
  const maxRetryMs = options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS;
  let cursor: PodLogCursor = { ...options.cursor };
  let stopped = false;
  let finishing = false;
  let connection: AbortController | undefined;
  const delay = new WakeableDelay();
  let fruitless = 0;

  async function attempt(Log: typeof import('@kubernetes/client-node').Log, final: boolean): Promise<{ end: AttemptEnd; copied: boolean }> {
    const lines = new TimestampedLines(cursor);
    let copied = false;
    const deliver = (text: string) => {
      if (!text) return;
      copied = true;
      const next = lines.cursor();
      try {
        options.onLines(text, { ...next });
        cursor = next;
      } catch (error) {
        // Lines that could not be kept are not skipped by a later copy: this one stops here.
        options.onError?.(error);
        stop();
      }
    };
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!stopped) deliver(lines.push(chunk));
        callback();
      },
    });
    let settled = false;
    const end = await new Promise<AttemptEnd>((resolve) => {
      const settle = (result: AttemptEnd) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      // client-node pipes the response into the sink and leaves the response's errors unhandled (an uncaught
      // exception on a dropped connection or an abort): the sink gets the response here to handle them.
      sink.on('pipe', (source: NodeJS.ReadableStream) => {
        source.on('error', (error: unknown) => settle({ kind: 'failed', error }));
        source.on('close', () => setImmediate(() => settle({ kind: 'failed', error: new Error(`the log stream of pod ${options.pod} closed before its end`) })));
      });
      sink.on('finish', () => settle({ kind: 'ended' }));
      const since = cursor.lastTimestamp ? floorToSecond(cursor.lastTimestamp) : undefined;
      new Log(options.kubeConfig)
        .log(options.namespace, options.pod, options.container, sink, { follow: true, timestamps: true, ...(since ? { sinceTime: since } : {}) })
        .then(
          (controller) => {
            if (stopped) controller.abort();
            else if (!settled) connection = controller;
          },
          (error: unknown) => settle({ kind: 'failed', error }),
        );
    });
    connection = undefined;
    if (end.kind === 'ended' && final && !stopped) deliver(lines.flushPartial());
    return { end, copied };
  }

  async function run(): Promise<PodLogCursor> {
    const { Log } = await import('./kubernetesClient.ts');
    while (!stopped && !cursor.complete && options.podExists()) {
      // A read that starts after the container terminated returns the whole rest of the log, then ends.
      const final = finishing || options.containerTerminated();
      const { end, copied } = await attempt(Log, final);
      if (stopped) break;
      if (end.kind === 'ended' && final) {
        cursor = { ...cursor, complete: true };
        break;
      }
      if (end.kind === 'failed' && options.podExists()) options.onError?.(end.error);
      if (finishing && end.kind === 'failed') break;
      const endedSince = !final && (finishing || options.containerTerminated());
      if (copied || endedSince) fruitless = 0;
      else await delay.wait(Math.min(maxRetryMs, initialRetryMs * 2 ** fruitless++));
    }
    return { ...cursor };
  }

  function stop(): void {
    stopped = true;
    connection?.abort();
    delay.wake();
  }

  const done = run().catch((error: unknown) => {
    options.onError?.(error);
    return { ...cursor };
  });
  return {
    done,
    nudge: () => delay.wake(),
    finish() {
      finishing = true;
      delay.wake();
    },
    stop,
  };
}

/**
 * Splits a timestamped log stream into lines and keeps the ones after the cursor. A request from `sinceTime` first
 * replays what was copied before: lines older than the cursor's last timestamp, and the first `linesAtLastTimestamp`
 * lines carrying exactly that timestamp, are skipped until the first line past the cursor. From there on every line is
 * kept, an older timestamp included: stdout and stderr interleave in one log, out of timestamp order. The cursor
 * follows the newest timestamp kept.
 */
class TimestampedLines {
  #decoder = new StringDecoder('utf8');
  #partial = '';
  #lastTimestamp: string | undefined;
  #lastTime: LogTime | undefined;
  #linesAtLast: number;
  #alreadyCopiedAtLast: number;
  #replaying: boolean;

  constructor(cursor: PodLogCursor) {
    this.#lastTimestamp = cursor.lastTimestamp;
    this.#lastTime = cursor.lastTimestamp ? parseLogTime(cursor.lastTimestamp) : undefined;
    this.#linesAtLast = cursor.linesAtLastTimestamp;
    this.#alreadyCopiedAtLast = cursor.lastTimestamp ? cursor.linesAtLastTimestamp : 0;
    this.#replaying = this.#lastTime !== undefined;
  }

  /** The new complete lines in `chunk` (and in what was held from before), timestamps stripped. */
  push(chunk: Buffer): string {
    const text = this.#partial + this.#decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.#partial = text;
      return '';
    }
    this.#partial = text.slice(end + 1);
    let kept = '';
    for (const line of text.slice(0, end).split('\n')) kept += this.#keep(line);
    return kept;
  }

  /** A last line without its newline, once the container has ended. */
  flushPartial(): string {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    return rest ? this.#keep(rest) : '';
  }

  cursor(): PodLogCursor {
    return { ...(this.#lastTimestamp ? { lastTimestamp: this.#lastTimestamp } : {}), linesAtLastTimestamp: this.#linesAtLast, complete: false };
  }

  #keep(line: string): string {
    const space = line.indexOf(' ');
    const timestamp = space < 0 ? line : line.slice(0, space);
    const time = parseLogTime(timestamp);
    // Without a timestamp the line cannot be placed: it is kept, and the cursor stays where it is.
    if (!time) return line + '\n';
    const text = space < 0 ? '' : line.slice(space + 1);
    const order = this.#lastTime ? compareLogTimes(time, this.#lastTime) : 1;
    if (this.#replaying) {
      if (order < 0) return '';
      if (order === 0 && this.#alreadyCopiedAtLast > 0) {
        this.#alreadyCopiedAtLast--;
        return '';
      }
      this.#replaying = false;
    }
    if (order > 0) {
      this.#lastTimestamp = timestamp;
      this.#lastTime = time;
      this.#linesAtLast = 1;
    } else if (order === 0) {
      this.#linesAtLast++;
    }
    return text + '\n';
  }
}

interface LogTime {
  /** Whole seconds, as epoch ms. */
  seconds: number;
  nanos: number;
}

const LOG_TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** An RFC 3339 timestamp with up to nanoseconds, as the kubelet writes them (trailing zeros of the fraction dropped). */
function parseLogTime(timestamp: string): LogTime | undefined {
  const match = LOG_TIMESTAMP.exec(timestamp);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return { seconds, nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

function compareLogTimes(a: LogTime, b: LogTime): number {
  return a.seconds - b.seconds || a.nanos - b.nanos;
}

/** The second a timestamp falls in: `sinceTime` is read at second precision, so asking for less would miss lines. */
function floorToSecond(timestamp: string): string | undefined {
  const time = parseLogTime(timestamp);
  return time ? new Date(time.seconds).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
}
