// `job.kubernetes` and `job.resources` from mltrail.json, checked and typed for the Kubernetes runner. Every problem
// is collected with its key path, so one message tells the user all that is wrong.
import type { V1Toleration, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { JobDefinition } from '../jobConfig.ts';
import { CODE_VOLUME_NAME } from './codeConfigMap.ts';
import { SHM_VOLUME_NAME } from './jobManifest.ts';

export type CodeSource = 'image' | 'configmap';

export interface KubernetesResources {
  gpus: number;
  gpuType?: string;
  cpu?: string;
  memory?: string;
  /** The size of /dev/shm. */
  shm?: string;
}

export interface KubernetesJobOptions {
  context?: string;
  namespace?: string;
  image: string;
  /** A Kueue LocalQueue. */
  queue?: string;
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  serviceAccount?: string;
  imagePullSecrets: string[];
  /** Pod volumes, passed through as written: the API server validates them. */
  volumes: V1Volume[];
  /** Container volume mounts, passed through as written. */
  volumeMounts: V1VolumeMount[];
  code: CodeSource;
  /** How many indexes of a sweep run at once; all of them by default. */
  parallelism?: number;
  /** How often a failed pod is replaced: for the Job, or for each index of a sweep on its own. */
  backoffLimit: number;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
  resources: KubernetesResources;
}

export const DEFAULT_BACKOFF_LIMIT = 0;
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 86_400;
export const DEFAULT_TTL_SECONDS_AFTER_FINISHED = 604_800;
/** Volume names the runner adds to every pod; a user volume may not take them. */
export const RESERVED_VOLUME_NAMES: readonly string[] = [SHM_VOLUME_NAME, CODE_VOLUME_NAME];

export type KubernetesOptionsResult = { ok: true; options: KubernetesJobOptions } | { ok: false; problems: string[] };

export class InvalidKubernetesOptions extends Error {
  readonly problems: string[];

  constructor(job: string, problems: string[]) {
    super(`job "${job}" cannot run on Kubernetes:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}

/** The checked options, or every problem found. */
export function parseKubernetesJobOptions(job: JobDefinition): KubernetesOptionsResult {
  const problems: string[] = [];
  const prefix = `jobs.${job.name}`;
  if (!isLabelValue(job.name)) problems.push(`${prefix}: a job that runs on Kubernetes needs a name of at most 63 characters that starts and ends with a letter or digit (it becomes a label value)`);
  const kubernetes = new Section(job.kubernetes ?? {}, `${prefix}.kubernetes`, problems);
  const resources = new Section(job.resources ?? {}, `${prefix}.resources`, problems);
  kubernetes.rejectUnknownKeys(KUBERNETES_KEYS);
  resources.rejectUnknownKeys(RESOURCE_KEYS);

  const image = kubernetes.string('image');
  if (image === undefined && !kubernetes.has('image')) problems.push(`${prefix}.kubernetes.image is required: the container image that runs the job`);
  const options: KubernetesJobOptions = {
    image: image ?? '',
    nodeSelector: kubernetes.stringMap('nodeSelector'),
    tolerations: kubernetes.objectList('tolerations') as V1Toleration[],
    imagePullSecrets: kubernetes.stringList('imagePullSecrets'),
    volumes: kubernetes.objectList('volumes') as unknown as V1Volume[],
    volumeMounts: kubernetes.objectList('volumeMounts') as unknown as V1VolumeMount[],
    code: kubernetes.oneOf('code', ['image', 'configmap'] as const) ?? 'image',
    backoffLimit: kubernetes.integer('backoffLimit', 0) ?? DEFAULT_BACKOFF_LIMIT,
    activeDeadlineSeconds: kubernetes.integer('activeDeadlineSeconds', 1) ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
    ttlSecondsAfterFinished: kubernetes.integer('ttlSecondsAfterFinished', 0) ?? DEFAULT_TTL_SECONDS_AFTER_FINISHED,
    resources: { gpus: resources.integer('gpus', 0) ?? 0 },
  };
  assignDefined(options, 'context', kubernetes.string('context'));
  assignDefined(options, 'namespace', kubernetes.matching('namespace', isDnsLabel, 'a Kubernetes namespace name (lower case letters, digits and "-", at most 63 characters)'));
  assignDefined(options, 'queue', kubernetes.matching('queue', isLabelValue, 'a Kueue LocalQueue name (at most 63 letters, digits, "-", "_" or ".")'));
  assignDefined(options, 'serviceAccount', kubernetes.matching('serviceAccount', isDnsSubdomain, 'a service account name (lower case letters, digits, "-" and ".")'));
  assignDefined(options, 'parallelism', kubernetes.integer('parallelism', 1));
  assignDefined(options.resources, 'gpuType', resources.string('gpuType'));
  for (const key of ['cpu', 'memory', 'shm'] as const) assignDefined(options.resources, key, resources.quantity(key));
  options.volumes.forEach((volume, index) => {
    if (typeof volume.name !== 'string' || volume.name === '') problems.push(`${prefix}.kubernetes.volumes[${index}].name is required`);
    else if (RESERVED_VOLUME_NAMES.includes(volume.name)) problems.push(`${prefix}.kubernetes.volumes[${index}].name "${volume.name}" is reserved for MLTrail: pick another name`);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options };
}

/** The checked options; throws InvalidKubernetesOptions listing every problem. */
export function requireKubernetesJobOptions(job: JobDefinition): KubernetesJobOptions {
  const result = parseKubernetesJobOptions(job);
  if (!result.ok) throw new InvalidKubernetesOptions(job.name, result.problems);
  return result.options;
}

const KUBERNETES_KEYS = [
  'context', 'namespace', 'image', 'queue', 'nodeSelector', 'tolerations', 'serviceAccount', 'imagePullSecrets', 'volumes',
  'volumeMounts', 'code', 'parallelism', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished',
];
const RESOURCE_KEYS = ['gpus', 'gpuType', 'cpu', 'memory', 'shm'];

/** Kubernetes resource quantity syntax: a decimal number with an optional SI, binary or exponent suffix. */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const isDnsLabel = (text: string) => text.length <= 63 && DNS_LABEL.test(text);
const isDnsSubdomain = (text: string) => text.length <= 253 && DNS_SUBDOMAIN.test(text);
const isLabelValue = (text: string) => text.length <= 63 && LABEL_VALUE.test(text);

function assignDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** One object of mltrail.json read key by key; a wrong value is reported with its path and read as absent. */
class Section {
  readonly #values: Record<string, unknown>;
  readonly #path: string;
  readonly #problems: string[];

  constructor(values: Record<string, unknown>, path: string, problems: string[]) {
    this.#values = values;
    this.#path = path;
    this.#problems = problems;
  }

  has(key: string): boolean {
    return this.#values[key] !== undefined;
  }

  rejectUnknownKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.#values)) {
      if (!known.includes(key)) this.#problems.push(`${this.#path}.${key} is not a known key (known: ${known.join(', ')})`);
    }
  }

  string(key: string): string | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    return this.#wrong(key, 'must be a non-empty string');
  }

  matching(key: string, test: (text: string) => boolean, what: string): string | undefined {
    const value = this.string(key);
    if (value === undefined || test(value)) return value;
    return this.#wrong(key, `must be ${what}, not ${JSON.stringify(value)}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    if (allowed.includes(value as T)) return value as T;
    return this.#wrong(key, `must be ${allowed.map((entry) => `"${entry}"`).join(' or ')}`);
  }

  integer(key: string, minimum: number): number | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    if (Number.isSafeInteger(value) && (value as number) >= minimum) return value as number;
    return this.#wrong(key, minimum === 0 ? 'must be a non-negative integer' : `must be an integer of at least ${minimum}`);
  }

  /** A quantity such as "8", "500m" or "32Gi"; a plain non-negative number is taken as written. */
  quantity(key: string): string | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    const text = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? String(value) : value;
    if (typeof text === 'string' && QUANTITY.test(text)) return text;
    return this.#wrong(key, `must be a Kubernetes quantity such as "8", "500m", "32Gi" or "8Gi", not ${JSON.stringify(value)}`);
  }

  stringMap(key: string): Record<string, string> {
    const value = this.#values[key];
    if (value === undefined) return {};
    if (isPlainObject(value) && Object.values(value).every((entry) => typeof entry === 'string')) return { ...(value as Record<string, string>) };
    return this.#wrong(key, 'must map label names to strings') ?? {};
  }

  stringList(key: string): string[] {
    const value = this.#values[key];
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string' && entry !== '')) return [...value];
    return this.#wrong(key, 'must be a list of non-empty strings') ?? [];
  }

  objectList(key: string): Array<Record<string, unknown>> {
    const value = this.#values[key];
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every(isPlainObject)) return value.map((entry) => structuredClone(entry));
    return this.#wrong(key, 'must be a list of objects, as Kubernetes writes them') ?? [];
  }

  #wrong(key: string, message: string): undefined {
    this.#problems.push(`${this.#path}.${key} ${message}`);
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
