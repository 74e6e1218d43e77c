// What the kubelet would keep for each container: the lines of the current run and of the previous (crashed) one,
// whether the container has started, and the readers following it until it terminates.
import { badRequest } from './apiStatus.ts';

export interface LogLine {
  time: Date;
  text: string;
}

export interface LogQuery {
  previous: boolean;
  tailLines?: number;
  sinceTime?: Date;
}

type Follower = { onLine: (line: LogLine) => void; onEnd: () => void };

interface ContainerLog {
  state: 'waiting' | 'running' | 'terminated';
  waitingReason: string;
  lines: LogLine[];
  previous: LogLine[] | undefined;
  followers: Set<Follower>;
}

export class PodLogs {
  #containers = new Map<string, ContainerLog>();

  waiting(namespace: string, pod: string, container: string, reason: string): void {
    const log = this.#log(namespace, pod, container);
    if (log.state === 'waiting') log.waitingReason = reason;
  }

  /** A new run of the container; the run before it, if any, becomes the `previous` log. */
  start(namespace: string, pod: string, container: string): void {
    const log = this.#log(namespace, pod, container);
    if (log.state === 'running') return;
    if (log.state === 'terminated') {
      log.previous = log.lines;
      log.lines = [];
    }
    log.state = 'running';
  }

  append(namespace: string, pod: string, container: string, text: string, time: Date): void {
    const log = this.#log(namespace, pod, container);
    const line = { time, text };
    log.lines.push(line);
    for (const follower of log.followers) follower.onLine(line);
  }

  terminate(namespace: string, pod: string, container: string): void {
    const log = this.#log(namespace, pod, container);
    log.state = 'terminated';
    this.#endFollowers(log);
  }

  /** The run crashed and will be restarted: until then both the current and the previous log show it. */
  crash(namespace: string, pod: string, container: string): void {
    this.terminate(namespace, pod, container);
    const log = this.#log(namespace, pod, container);
    log.previous = log.lines;
  }

  removePod(namespace: string, pod: string): void {
    for (const [key, log] of this.#containers) {
      if (key.startsWith(`${namespace}/${pod}/`)) {
        this.#endFollowers(log);
        this.#containers.delete(key);
      }
    }
  }

  /** The lines a log request gets now, and, while the container runs, a way to follow the ones to come. */
  read(namespace: string, pod: string, container: string, query: LogQuery): { lines: LogLine[]; follow?: (follower: Follower) => () => void } {
    const log = this.#log(namespace, pod, container);
    if (query.previous && !log.previous) throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
    if (!query.previous && log.state === 'waiting') {
      throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: ${log.waitingReason}`);
    }
    let lines = query.previous ? log.previous! : log.lines;
    if (query.sinceTime) lines = lines.filter((line) => line.time >= query.sinceTime!);
    if (query.tailLines !== undefined) lines = query.tailLines === 0 ? [] : lines.slice(-query.tailLines);
    if (query.previous || log.state !== 'running') return { lines: [...lines] };
    return {
      lines: [...lines],
      follow: (follower) => {
        log.followers.add(follower);
        return () => log.followers.delete(follower);
      },
    };
  }

  #log(namespace: string, pod: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}/${container}`;
    let log = this.#containers.get(key);
    if (!log) {
      log = { state: 'waiting', waitingReason: 'ContainerCreating', lines: [], previous: undefined, followers: new Set() };
      this.#containers.set(key, log);
    }
    return log;
  }

  #endFollowers(log: ContainerLog): void {
    for (const follower of log.followers) follower.onEnd();
    log.followers.clear();
  }
}
