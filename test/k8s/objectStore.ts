// The fake cluster's state: objects per resource, one global resourceVersion bumped by every change, and a bounded
// history of changes so that a watch can resume from a resourceVersion (older than the history: 410 Expired).
import { alreadyExists, notFound } from './apiStatus.ts';
import { qualifiedName, resources, type ResourceName } from './resources.ts';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
}

/** Objects are free-form JSON as the API server stores them; `spec` and `status` stay untyped on purpose. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: any;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  resource: ResourceName;
  object: KubeObject;
  resourceVersion: number;
}

export interface ObjectStoreOptions {
  /** How many changes a watch can resume across before its resourceVersion expires. Default 1000. */
  historyLimit?: number;
  now?: () => Date;
}

export class ObjectStore {
  readonly now: () => Date;
  #objects = new Map<ResourceName, Map<string, KubeObject>>();
  #history: Change[] = [];
  #historyLimit: number;
  /** Every change after this resourceVersion is still in the history. */
  #retainedAfter = 0;
  #resourceVersion = 0;
  #uids = 0;
  #listeners = new Set<(change: Change) => void>();

  constructor(options: ObjectStoreOptions = {}) {
    this.#historyLimit = options.historyLimit ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  get(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    const object = this.#bucket(resource).get(`${namespace}/${name}`);
    return object && structuredClone(object);
  }

  /** The objects in name order; `matches` (selectors) is applied before copying, so a narrow list stays cheap. */
  list(resource: ResourceName, namespace?: string, matches: (object: KubeObject) => boolean = () => true): KubeObject[] {
    return [...this.#bucket(resource).values()]
      .filter((object) => (namespace === undefined || object.metadata.namespace === namespace) && matches(object))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((object) => structuredClone(object));
  }

  create(resource: ResourceName, object: KubeObject): KubeObject {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    if (this.#bucket(resource).has(key)) throw alreadyExists(qualifiedName(resources[resource]), object.metadata.name);
    const created = structuredClone(object);
    created.metadata.uid ||= `00000000-0000-4000-8000-${String(++this.#uids).padStart(12, '0')}`;
    created.metadata.creationTimestamp = this.timestamp();
    return this.#commit('ADDED', resource, created);
  }

  update(resource: ResourceName, object: KubeObject): KubeObject {
    this.#existing(resource, object.metadata.namespace, object.metadata.name);
    return this.#commit('MODIFIED', resource, structuredClone(object));
  }

  /** Reads, changes and writes back one object; the usual way the controller updates status. */
  mutate(resource: ResourceName, namespace: string, name: string, change: (object: KubeObject) => void): KubeObject {
    const object = structuredClone(this.#existing(resource, namespace, name));
    change(object);
    return this.#commit('MODIFIED', resource, object);
  }

  delete(resource: ResourceName, namespace: string, name: string): KubeObject {
    const object = this.#existing(resource, namespace, name);
    this.#bucket(resource).delete(`${namespace}/${name}`);
    return this.#commit('DELETED', resource, structuredClone(object));
  }

  /** The changes after `resourceVersion` in order, or undefined when some of them have left the history. */
  changesSince(resourceVersion: number): Change[] | undefined {
    if (resourceVersion < this.#retainedAfter) return undefined;
    return this.#history.filter((change) => change.resourceVersion > resourceVersion).map((change) => structuredClone(change));
  }

  get oldestResumableVersion(): number {
    return this.#retainedAfter;
  }

  /** Test hook: forget the history, so that every resourceVersion before now is expired. */
  compactHistory(): void {
    this.#history = [];
    this.#retainedAfter = this.#resourceVersion;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  timestamp(): string {
    return this.now().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  #bucket(resource: ResourceName): Map<string, KubeObject> {
    let bucket = this.#objects.get(resource);
    if (!bucket) this.#objects.set(resource, (bucket = new Map()));
    return bucket;
  }

  #existing(resource: ResourceName, namespace: string, name: string): KubeObject {
    const object = this.#bucket(resource).get(`${namespace}/${name}`);
    if (!object) throw notFound(qualifiedName(resources[resource]), name);
    return object;
  }

  #commit(type: ChangeType, resource: ResourceName, object: KubeObject): KubeObject {
    const resourceVersion = ++this.#resourceVersion;
    object.metadata.resourceVersion = String(resourceVersion);
    if (type !== 'DELETED') this.#bucket(resource).set(`${object.metadata.namespace}/${object.metadata.name}`, object);
    const change: Change = { type, resource, object: structuredClone(object), resourceVersion };
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit) this.#retainedAfter = this.#history.shift()!.resourceVersion;
    for (const listener of [...this.#listeners]) listener(structuredClone(change));
    return structuredClone(object);
  }
}
