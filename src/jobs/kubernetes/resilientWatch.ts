import type { KubeConfig } from '@kubernetes/client-node';
import { WakeableDelay } from './wakeableDelay.ts';

// A list-then-watch of one collection that keeps going: it resumes from the last resourceVersion seen (objects and
// BOOKMARKs) when the stream ends, errs or hits client-node's 30 s inactivity abort, relists and resyncs on 410 Gone,
// and backs off exponentially while the cluster cannot be reached.

export type WatchChange = 'ADDED' | 'MODIFIED' | 'DELETED';

/** An object as the API server sends it (plain JSON): the watch only needs its identity and version. */
export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface ListedObjects<T> {
  items: T[];
  /** The list's resourceVersion: the watch starts after it. */
  resourceVersion: string | undefined;
}

export interface ResilientWatchOptions<T extends WatchedObject> {
  kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Lists the same collection with the same selectors, objects as plain JSON (see `plainObjects`). */
  list(): Promise<ListedObjects<T>>;
  /** Every change, in order; after a relist, what changed meanwhile (objects deleted meanwhile as DELETED). */
  onChange(change: WatchChange, object: T): void;
  /** After each list has been applied through onChange, with the objects there are now. */
  onSynced?(objects: T[]): void;
  /** A failure the watch recovers from by itself (a failed list, a dropped connection, a throwing handler). */
  onError?(error: unknown): void;
  /** How long client-node lets a watch go without data before aborting it; default the client's (30 s). */
  idleTimeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ResilientWatch {
  /** Watch connections opened again after the first. */
  readonly reconnects: number;
  /** Lists after the first (after a 410 Gone). */
  readonly relists: number;
  /** The resourceVersion the next watch connection starts from: the last one seen in a list, an event or a BOOKMARK. */
  readonly resourceVersion: string | undefined;
  /** Resolves once the first list has been applied (or the watch was stopped before). */
  readonly synced: Promise<void>;
  stop(): void;
}

const DEFAULT_INITIAL_BACKOFF_MS = 200;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const GONE = 410;

type ConnectionEnd =
  | { kind: 'gone' }
  /** client-node's inactivity abort: a quiet collection, not a failure. */
  | { kind: 'idle' }
  | { kind: 'closed'; sawEvent: boolean }
  | { kind: 'failed'; error: unknown };

/** Typed objects from the generated API as the plain JSON the watch delivers (dates as strings). */
export function plainObjects<T>(items: readonly object[]): T[] {
  return JSON.parse(JSON.stringify(items)) as T[];
}

export function startResilientWatch<T extends WatchedObject>(options: ResilientWatchOptions<T>): ResilientWatch {
  const initialBackoffMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const known = new Map<string, T>();
  let resourceVersion: string | undefined;
  let stopped = false;
  let lists = 0;
  let connections = 0;
  let failures = 0;
  let connection: AbortController | undefined;
  const delay = new WakeableDelay();
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A reporter that throws must not stop the watch.
    }
  };
  const deliver = (change: WatchChange, object: T) => {
    try {
      options.onChange(change, object);
    } catch (error) {
      report(error);
    }
  };
  const nextBackoff = () => Math.min(maxBackoffMs, initialBackoffMs * 2 ** failures++);

  async function list(): Promise<void> {
    const listed = await options.list();
    if (stopped) return;
    const present = new Set<string>();
    for (const object of listed.items) {
      const key = keyOf(object);
      present.add(key);
      const previous = known.get(key);
      known.set(key, object);
      if (!previous) deliver('ADDED', object);
      else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) deliver('MODIFIED', object);
    }
    for (const [key, object] of [...known]) {
      if (present.has(key)) continue;
      known.delete(key);
      deliver('DELETED', object);
    }
    resourceVersion = listed.resourceVersion;
    lists++;
    failures = 0;
    try {
      options.onSynced?.(listed.items);
    } catch (error) {
      report(error);
    }
    markSynced();
  }

  async function watchOnce(Watch: typeof import('@kubernetes/client-node').Watch): Promise<ConnectionEnd> {
    const watch = new Watch(options.kubeConfig);
    // A private field in client-node's typings, a plain property at run time (2.0.1): the inactivity timeout.
    if (options.idleTimeoutMs !== undefined) (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.idleTimeoutMs;
    let sawEvent = false;
    let gone = false;
    let serverError: unknown;
    return new Promise<ConnectionEnd>((resolve) => {
      const onEvent = (type: string, object: unknown) => {
        if (stopped || gone || serverError !== undefined) return;
        if (type === 'ERROR') {
          const status = object as { code?: number; message?: string };
          if (status?.code === GONE) gone = true;
          else serverError = new Error(`watch of ${options.path} failed: ${status?.message ?? JSON.stringify(object)}`);
          connection?.abort();
          return;
        }
        const watched = object as T;
        const version = watched?.metadata?.resourceVersion;
        if (version) resourceVersion = version;
        sawEvent = true;
        failures = 0;
        if (type === 'BOOKMARK') return;
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        if (type === 'DELETED') known.delete(keyOf(watched));
        else known.set(keyOf(watched), watched);
        deliver(type, watched);
      };
      let ended = false;
      const onDone = (error: unknown) => {
        ended = true;
        if (gone || (error as { statusCode?: number } | null)?.statusCode === GONE) resolve({ kind: 'gone' });
        else if (serverError !== undefined) resolve({ kind: 'failed', error: serverError });
        else if (isAbort(error)) resolve({ kind: 'idle' });
        else if (error) resolve({ kind: 'failed', error });
        else resolve({ kind: 'closed', sawEvent });
      };
      const query = {
        allowWatchBookmarks: true,
        ...(resourceVersion ? { resourceVersion } : {}),
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
        ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
      };
      watch.watch(options.path, query, onEvent, onDone).then(
        (controller) => {
          // The connection may have ended, or been told to, before the client handed its controller over.
          if (stopped || ended || gone || serverError !== undefined) controller.abort();
          else connection = controller;
        },
        (error: unknown) => resolve({ kind: 'failed', error }),
      );
    });
  }

  async function run(): Promise<void> {
    const { Watch } = await import('./kubernetesClient.ts');
    let needsList = true;
    while (!stopped) {
      if (needsList) {
        try {
          await list();
          needsList = false;
        } catch (error) {
          report(error);
          await delay.wait(nextBackoff());
          continue;
        }
      }
      if (stopped) return;
      connections++;
      const end = await watchOnce(Watch);
      connection = undefined;
      if (stopped) return;
      if (end.kind === 'gone') {
        needsList = true;
        continue;
      }
      if (end.kind === 'failed') report(end.error);
      if (end.kind === 'failed' || (end.kind === 'closed' && !end.sawEvent)) await delay.wait(nextBackoff());
    }
  }

  run().catch(report).finally(markSynced);

  return {
    get reconnects() {
      return Math.max(0, connections - 1);
    },
    get relists() {
      return Math.max(0, lists - 1);
    },
    get resourceVersion() {
      return resourceVersion;
    },
    synced,
    stop() {
      stopped = true;
      connection?.abort();
      delay.wake();
      markSynced();
    },
  };
}

function keyOf(object: WatchedObject): string {
  const metadata = object.metadata ?? {};
  return metadata.uid || `${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
