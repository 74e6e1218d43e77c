// An in-process fake Kubernetes API server that the real @kubernetes/client-node and kubectl talk to over HTTP.
//
//   const server = await startFakeApiServer({ controller: { defaultScript: 'succeed' } });
//   const kc = new KubeConfig(); kc.loadFromFile(server.kubeconfigPath);
//   ... server.controller.advance() / await server.controller.runToEnd() walks the pods through their scripts ...
//   await server.stop();
//
// FakeApiServer:
//   url, kubeconfigPath      http://127.0.0.1:<port> and a kubeconfig for it (token user, insecure-skip-tls-verify)
//   store                    the objects (jobs, pods, events), the global resourceVersion, compactHistory() for 410s
//   logs                     container logs (PodLogs)
//   controller               the scripted JobController (advance, runToEnd, autoAdvance, unsuspend)
//   requests                 every request seen: method, path, query, accept (to assert what a client sent)
//   disconnectWatches({abrupt?}) ends every open watch from the server side; returns how many
//   disconnectLogs({abrupt?})    ends every open log follow from the server side (a premature end); returns how many
//   setBookmarkInterval(ms)  BOOKMARK period for watches with allowWatchBookmarks=true (also for open ones)
//   openWatchCount, stop()
//
// Serves: /version, discovery (/api, /apis, /api/v1, /apis/batch/v1), batch/v1 jobs (create, get, list, patch,
// delete with propagationPolicy, status subresource), v1 pods (create, get, list, delete, log), v1 events (list, get,
// create), v1 configmaps (create, get, list, patch, delete); list and watch take labelSelector and fieldSelector;
// kubectl's Table requests get a meta.k8s.io/v1 Table. Jobs and ConfigMaps are validated as the API server does (422
// Invalid listing every field at fault); deleting an object deletes the pods and ConfigMaps it owns (ownerReferences)
// unless the propagation policy orphans them.
// Every failure is a v1 Status with Content-Type application/json.
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { alreadyExists, ApiError, badRequest, notFound } from './apiStatus.ts';
import { discoveryDocuments, openApiV3Documents } from './discovery.ts';
import { validateConfigMap, validateConfigMapUpdate } from './configMapApi.ts';
import { defaultJob, validateJob } from './jobApi.ts';
import { JobController, type JobControllerOptions } from './jobController.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { ObjectStore, type KubeObject } from './objectStore.ts';
import { jsonPatch, mergePatch } from './patches.ts';
import { PodLogs, type LogLine } from './podLogs.ts';
import { apiVersionOf, qualifiedName, resourceAt, resources, type ResourceDescriptor, type ResourceName } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { toTable, wantsTable } from './tables.ts';
import { WatchStreams } from './watchStreams.ts';

export interface FakeApiServerOptions {
  controller?: JobControllerOptions;
  /** Changes a watch can resume across; default 1000. */
  historyLimit?: number;
  /** Default 60 s, the API server's order of magnitude; tests usually set a few ms. */
  bookmarkIntervalMs?: number;
  token?: string;
  /** The kubeconfig context's namespace. */
  namespace?: string;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string | undefined;
}

export interface FakeApiServer {
  url: string;
  kubeconfigPath: string;
  store: ObjectStore;
  logs: PodLogs;
  controller: JobController;
  requests: RecordedRequest[];
  readonly openWatchCount: number;
  disconnectWatches(options?: { abrupt?: boolean }): number;
  disconnectLogs(options?: { abrupt?: boolean }): number;
  setBookmarkInterval(intervalMs: number): void;
  stop(): Promise<void>;
}

type Route =
  | { kind: 'collection'; resource: ResourceDescriptor; namespace: string | undefined }
  | { kind: 'object'; resource: ResourceDescriptor; namespace: string; name: string; subresource: string | undefined };

const routePattern = /^\/(api\/v1|apis\/batch\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

function parseRoute(pathname: string): Route | undefined {
  const match = routePattern.exec(pathname);
  if (!match) return undefined;
  const [, prefix, namespace, resourceName, name, subresource] = match as unknown as [string, string, string | undefined, string, string | undefined, string | undefined];
  const resource = resourceAt(prefix, resourceName);
  if (!resource) return undefined;
  if (name === undefined) return { kind: 'collection', resource, namespace };
  if (namespace === undefined) return undefined;
  return { kind: 'object', resource, namespace, name: decodeURIComponent(name), subresource };
}

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const token = options.token ?? 'fake-token';
  const store = new ObjectStore({ historyLimit: options.historyLimit, now: options.now });
  const logs = new PodLogs();
  const controller = new JobController(store, logs, options.controller);
  const watches = new WatchStreams(store, options.bookmarkIntervalMs ?? 60_000);
  const requests: RecordedRequest[] = [];
  const openLogFollows = new Set<ServerResponse>();

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push({ method: request.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), accept: request.headers.accept });
    handle(request, response, url).catch((error: unknown) => {
      const failure = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${String(error)}`);
      if (response.headersSent) response.destroy();
      else sendJson(response, failure.code, failure.toStatus());
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    // kubectl (client-go) sends no bearer token over plain http, so only a wrong token is refused.
    const authorization = request.headers.authorization;
    if (authorization !== undefined && authorization !== `Bearer ${token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const discovery = discoveryDocuments[url.pathname] ?? openApiV3Documents[url.pathname];
    if (discovery && request.method === 'GET') return sendJson(response, 200, discovery);
    const namespaceRead = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    // Every namespace exists: kubectl reads the namespace after a NotFound to word its message.
    if (namespaceRead && request.method === 'GET') {
      return sendJson(response, 200, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceRead[1] }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
    const route = parseRoute(url.pathname);
    if (!route) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const body = await readBody(request);
    const query = url.searchParams;
    const method = request.method ?? 'GET';
    const resourceName = route.resource.name;

    if (route.kind === 'collection') {
      if (method === 'GET') {
        const labelMatches = parseLabelSelector(query.get('labelSelector'));
        const fieldMatches = parseFieldSelector(query.get('fieldSelector'));
        const matches = (object: KubeObject) => labelMatches(object.metadata.labels) && fieldMatches(object);
        if (query.get('watch') === 'true' || query.get('watch') === '1') {
          const timeout = query.get('timeoutSeconds');
          return watches.serve(request, response, {
            resource: resourceName,
            namespace: route.namespace,
            matches,
            resourceVersion: query.get('resourceVersion'),
            allowBookmarks: query.get('allowWatchBookmarks') === 'true',
            timeoutSeconds: timeout === null ? undefined : Number(timeout),
          });
        }
        const items = store.list(resourceName, route.namespace, matches);
        if (wantsTable(request.headers.accept)) return sendJson(response, 200, toTable(resourceName, items, store.resourceVersion, store.now()));
        return sendJson(response, 200, { apiVersion: apiVersionOf(route.resource), kind: `${route.resource.kind}List`, metadata: { resourceVersion: String(store.resourceVersion) }, items });
      }
      if (method === 'POST' && route.namespace !== undefined) return sendJson(response, 201, create(route.resource, route.namespace, body));
      throw methodNotAllowed(method);
    }

    const { namespace, name, subresource } = route;
    if (subresource === 'log' && resourceName === 'pods' && method === 'GET') return streamLog(request, response, namespace, name, query);
    if (subresource !== undefined && subresource !== 'status') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (method === 'GET') {
      const object = store.get(resourceName, namespace, name) ?? missing(route.resource, name);
      if (wantsTable(request.headers.accept)) return sendJson(response, 200, toTable(resourceName, [object], store.resourceVersion, store.now()));
      return sendJson(response, 200, object);
    }
    if (method === 'PATCH') return sendJson(response, 200, patch(route.resource, namespace, name, request.headers['content-type'], body, subresource === 'status'));
    if (method === 'DELETE') return sendJson(response, 200, remove(route.resource, namespace, name, query, body));
    throw methodNotAllowed(method);
  }

  function create(resource: ResourceDescriptor, namespace: string, body: string): KubeObject {
    const object = parseJson(body);
    object.metadata ??= {};
    if (!object.metadata.name && object.metadata.generateName) object.metadata.name = object.metadata.generateName + Math.random().toString(36).slice(2, 7);
    if (object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = namespace;
    if (resource.name === 'jobs') {
      validateJob(object);
      // Checked before defaulting so that a duplicate is reported as AlreadyExists, not created with a new uid.
      if (store.get('jobs', namespace, object.metadata.name)) throw alreadyExists(qualifiedName(resource), object.metadata.name);
      return store.create('jobs', defaultJob(object).job);
    }
    if (resource.name === 'configmaps') validateConfigMap(object);
    if (!object.metadata.name) throw new ApiError(422, 'Invalid', `${resource.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    return store.create(resource.name, { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind });
  }

  function patch(resource: ResourceDescriptor, namespace: string, name: string, contentType: string | undefined, body: string, statusOnly: boolean): KubeObject {
    const current = store.get(resource.name, namespace, name) ?? missing(resource, name);
    const operations = parseJson(body);
    let patched: KubeObject;
    if (contentType?.startsWith('application/json-patch+json')) patched = jsonPatch(current, operations);
    else if (/^application\/(merge-patch|strategic-merge-patch|apply-patch)/.test(contentType ?? '')) patched = mergePatch(current, operations);
    else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    const kept = statusOnly ? { ...current, status: patched.status } : { ...patched, status: current.status };
    const updated = { ...kept, metadata: { ...kept.metadata, uid: current.metadata.uid, name, namespace } };
    if (resource.name === 'configmaps') validateConfigMapUpdate(current, updated);
    return store.update(resource.name, updated);
  }

  function remove(resource: ResourceDescriptor, namespace: string, name: string, query: URLSearchParams, body: string): object {
    const existing = store.get(resource.name, namespace, name) ?? missing(resource, name);
    const options = body ? parseJson(body) : {};
    const policy = query.get('propagationPolicy') ?? options.propagationPolicy ?? (options.orphanDependents === false ? 'Background' : undefined);
    if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    // The garbage collector's part: objects whose ownerReferences name the deleted object go with it, unless orphaned.
    const dependents = garbageCollected.flatMap((dependentResource) =>
      store.list(dependentResource, namespace).filter((object) => object.metadata.ownerReferences?.some((owner) => owner.uid === existing.metadata.uid)).map((object) => ({ resource: dependentResource, object })),
    );
    // batch/v1 Jobs default to orphaning their pods when no policy is given, kept for backwards compatibility.
    const effective = policy ?? (resource.name === 'jobs' ? 'Orphan' : 'Background');
    const deleteDependents = () => {
      for (const { resource: dependentResource, object } of dependents) store.delete(dependentResource, namespace, object.metadata.name);
    };
    if (effective === 'Foreground') deleteDependents();
    const deleted = store.delete(resource.name, namespace, name);
    if (effective === 'Background') deleteDependents();
    if (effective === 'Orphan') {
      for (const { resource: dependentResource, object } of dependents) {
        store.mutate(dependentResource, namespace, object.metadata.name, (orphan) => {
          const remaining = orphan.metadata.ownerReferences?.filter((owner) => owner.uid !== existing.metadata.uid) ?? [];
          if (remaining.length > 0) orphan.metadata.ownerReferences = remaining;
          else delete orphan.metadata.ownerReferences;
        });
      }
    }
    // A deleted pod is answered with the pod (it terminates gracefully); other kinds with a Success Status.
    if (resource.name === 'pods') return deleted;
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: resource.group, kind: resource.name, uid: deleted.metadata.uid } };
  }

  function streamLog(request: IncomingMessage, response: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
    const pod = store.get('pods', namespace, name) ?? missing(resources.pods, name);
    const containers: string[] = pod.spec.containers.map((container: { name: string }) => container.name);
    const container = query.get('container') || (containers.length === 1 ? containers[0]! : undefined);
    if (!container) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const sinceSeconds = query.get('sinceSeconds');
    const sinceTime = query.get('sinceTime') ?? (sinceSeconds ? new Date(store.now().getTime() - Number(sinceSeconds) * 1000).toISOString() : null);
    const tailLines = query.get('tailLines');
    const result = logs.read(namespace, name, container, {
      previous: query.get('previous') === 'true',
      sinceTime: sinceTime ? new Date(sinceTime) : undefined,
      tailLines: tailLines === null ? undefined : Number(tailLines),
    });
    const timestamps = query.get('timestamps') === 'true';
    const format = (line: LogLine) => (timestamps ? `${rfc3339Nano(line.time)} ${line.text}\n` : `${line.text}\n`);
    const follow = query.get('follow') === 'true' && result.follow;
    response.writeHead(200, { 'Content-Type': 'text/plain', ...(follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
    const backlog = result.lines.map(format).join('');
    if (!follow) {
      response.end(backlog);
      return;
    }
    if (backlog) response.write(backlog);
    else response.flushHeaders();
    const unfollow = follow({ onLine: (line) => response.write(format(line)), onEnd: () => response.end() });
    openLogFollows.add(response);
    const stopFollowing = () => {
      unfollow();
      openLogFollows.delete(response);
    };
    request.on('close', stopFollowing);
    response.on('close', stopFollowing);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-k8s-'));
  const kubeconfigPath = writeKubeconfig(directory, { server: url, token, namespace: options.namespace });

  return {
    url,
    kubeconfigPath,
    store,
    logs,
    controller,
    requests,
    get openWatchCount() {
      return watches.openCount;
    },
    disconnectWatches: (disconnectOptions) => watches.disconnectAll(disconnectOptions),
    disconnectLogs(disconnectOptions = {}) {
      const follows = [...openLogFollows];
      for (const response of follows) {
        if (disconnectOptions.abrupt) response.socket?.destroy();
        else response.end();
      }
      return follows.length;
    },
    setBookmarkInterval: (intervalMs) => watches.setBookmarkInterval(intervalMs),
    async stop() {
      controller.stop();
      watches.disconnectAll({ abrupt: true });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The resources whose objects can be owned by another and are deleted with it. */
const garbageCollected: ResourceName[] = ['pods', 'configmaps'];

function missing(resource: ResourceDescriptor, name: string): never {
  throw notFound(qualifiedName(resource), name);
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

function parseJson(body: string): any {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`the object provided is unrecognized: ${(error as Error).message}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** Go's RFC3339Nano, which drops trailing zeros of the fraction, as the kubelet writes log timestamps. */
function rfc3339Nano(time: Date): string {
  return time.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}
