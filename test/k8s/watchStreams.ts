// Open watch connections: newline-delimited {"type","object"} events from a resourceVersion on, periodic BOOKMARKs,
// timeoutSeconds, and the test hook that drops every connection from the server side.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, expired } from './apiStatus.ts';
import type { Change, KubeObject, ObjectStore } from './objectStore.ts';
import { apiVersionOf, resources, type ResourceName } from './resources.ts';

export interface WatchRequest {
  resource: ResourceName;
  namespace: string | undefined;
  matches: (object: KubeObject) => boolean;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
}

interface OpenWatch {
  response: ServerResponse;
  request: WatchRequest;
  bookmarkTimer: NodeJS.Timeout | undefined;
}

export class WatchStreams {
  #store: ObjectStore;
  #open = new Set<OpenWatch>();
  #bookmarkIntervalMs: number;

  constructor(store: ObjectStore, bookmarkIntervalMs: number) {
    this.#store = store;
    this.#bookmarkIntervalMs = bookmarkIntervalMs;
  }

  get openCount(): number {
    return this.#open.size;
  }

  serve(httpRequest: IncomingMessage, response: ServerResponse, request: WatchRequest): void {
    const fromVersion = request.resourceVersion;
    const replay = this.#replay(request, fromVersion);
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    if (!replay) {
      const status = expired(fromVersion!, this.#store.oldestResumableVersion).toStatus();
      response.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      return;
    }
    response.flushHeaders();
    for (const event of replay) send(response, event.type, event.object);
    const watch: OpenWatch = { response, request, bookmarkTimer: undefined };
    const unsubscribe = this.#store.subscribe((change) => {
      if (isWanted(change, request)) send(response, change.type, change.object);
    });
    const timeout = request.timeoutSeconds === undefined ? undefined : setTimeout(() => response.end(), request.timeoutSeconds * 1000);
    this.#open.add(watch);
    this.#scheduleBookmarks(watch);
    const close = () => {
      unsubscribe();
      clearTimeout(timeout);
      clearInterval(watch.bookmarkTimer);
      this.#open.delete(watch);
    };
    httpRequest.on('close', close);
    response.on('close', close);
  }

  /** Ends every open watch; `abrupt` resets the connection instead of ending the response cleanly. */
  disconnectAll(options: { abrupt?: boolean } = {}): number {
    const watches = [...this.#open];
    for (const watch of watches) {
      if (options.abrupt) watch.response.socket?.destroy();
      else watch.response.end();
    }
    return watches.length;
  }

  setBookmarkInterval(intervalMs: number): void {
    this.#bookmarkIntervalMs = intervalMs;
    for (const watch of this.#open) this.#scheduleBookmarks(watch);
  }

  /** Without a resourceVersion (or "0") a watch starts with the current objects as ADDED, as the API server does. */
  #replay(request: WatchRequest, fromVersion: string | null): { type: string; object: KubeObject }[] | undefined {
    if (fromVersion === null || fromVersion === '' || fromVersion === '0') {
      return this.#store.list(request.resource, request.namespace).filter(request.matches).map((object) => ({ type: 'ADDED', object }));
    }
    const version = Number(fromVersion);
    if (!Number.isInteger(version) || version < 0) throw badRequest(`invalid resource version: ${fromVersion}`);
    return this.#store.changesSince(version)?.filter((change) => isWanted(change, request));
  }

  #scheduleBookmarks(watch: OpenWatch): void {
    clearInterval(watch.bookmarkTimer);
    if (!watch.request.allowBookmarks) return;
    const resource = resources[watch.request.resource];
    watch.bookmarkTimer = setInterval(() => {
      const bookmark = { kind: resource.kind, apiVersion: apiVersionOf(resource), metadata: { resourceVersion: String(this.#store.resourceVersion) } };
      send(watch.response, 'BOOKMARK', bookmark);
    }, this.#bookmarkIntervalMs);
  }
}

function isWanted(change: Change, request: WatchRequest): boolean {
  return (
    change.resource === request.resource &&
    (request.namespace === undefined || change.object.metadata.namespace === request.namespace) &&
    request.matches(change.object)
  );
}

function send(response: ServerResponse, type: string, object: unknown): void {
  if (!response.writableEnded) response.write(JSON.stringify({ type, object }) + '\n');
}
