// The batch/v1 Job a launch creates: pure, so every option can be checked without a cluster. One plan is a plain Job
// that runs the plan's argv; several plans (a sweep) are one Indexed Job whose pods pick their run by
// JOB_COMPLETION_INDEX in a small shell script, since a Job's env cannot differ between its indexes, and whose indexes
// each have their own backoff limit.
import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1Job, V1JobSpec, V1PodSpec, V1ResourceRequirements, V1Toleration, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { JobDefinition } from '../jobConfig.ts';
import type { JobRunPlan } from '../jobParams.ts';
import type { CodeMount } from './codeConfigMap.ts';
import type { KubernetesJobOptions, KubernetesResources } from './kubernetesOptions.ts';
import { JOB_NAME_LABEL, KUEUE_QUEUE_LABEL, LAUNCH_ID_LABEL } from './kubernetesRun.ts';

/** The one container of the pod. */
export const CONTAINER_NAME = 'main';
export const SHM_VOLUME_NAME = 'mltrail-shm';
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The node label NVIDIA's GPU feature discovery sets to the GPU's product name. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_TOLERATION: V1Toleration = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };
/** Leaves room for the "-<index>-<5 chars>" the Job controller appends to name an Indexed Job's pods. */
export const MAX_JOB_NAME_LENGTH = 52;

export interface ManifestRun {
  runId: string;
  plan: JobRunPlan;
}

export interface JobManifestInput {
  /** The Job's metadata.name, from kubernetesJobName. */
  name: string;
  launchId: string;
  job: JobDefinition;
  options: KubernetesJobOptions;
  /** The runs by completion index: one for a plain Job, several for an Indexed Job. */
  runs: ManifestRun[];
  /** Set for `"code": "configmap"`. */
  code?: CodeMount;
}

export function buildJobManifest(input: JobManifestInput): V1Job {
  const { name, launchId, job, options, runs } = input;
  if (runs.length === 0) throw new Error(`job "${job.name}": nothing to run`);
  const labels: Record<string, string> = { [LAUNCH_ID_LABEL]: launchId, [JOB_NAME_LABEL]: job.name };
  const spec: V1JobSpec = {
    activeDeadlineSeconds: options.activeDeadlineSeconds,
    ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
    template: { metadata: { labels: { ...labels } }, spec: podSpec(input) },
  };
  if (runs.length > 1) {
    spec.completionMode = 'Indexed';
    spec.completions = runs.length;
    spec.parallelism = Math.min(options.parallelism ?? runs.length, runs.length);
    // Each sweep point retries on its own (Kubernetes >= 1.29): the Job-wide backoffLimit counts the failures of every
    // index together, and once it is exceeded the controller fails the Job and deletes the pods still running.
    spec.backoffLimitPerIndex = options.backoffLimit;
  } else {
    spec.backoffLimit = options.backoffLimit;
  }
  const jobLabels = { ...labels };
  if (options.queue !== undefined) {
    jobLabels[KUEUE_QUEUE_LABEL] = options.queue;
    // Kueue admits the Job by unsuspending it.
    spec.suspend = true;
  }
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, labels: jobLabels }, spec };
}

/** `mltrail-<job>-<6 hex of the launch id>`: a DNS-1123 name short enough for the pods of an Indexed Job. */
export function kubernetesJobName(jobName: string, launchId: string): string {
  const suffix = /[0-9a-f]{6}$/.exec(launchId)?.[0] ?? createHash('sha256').update(launchId).digest('hex').slice(0, 6);
  const room = MAX_JOB_NAME_LENGTH - 'mltrail-'.length - suffix.length - 1;
  const sanitized = jobName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, room)
    .replace(/-$/, '');
  return `mltrail-${sanitized || 'job'}-${suffix}`;
}

function podSpec({ job, options, runs, code }: JobManifestInput): V1PodSpec {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const { resources } = options;
  if (resources.shm !== undefined) {
    volumes.push({ name: SHM_VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit: resources.shm } });
    mounts.push({ name: SHM_VOLUME_NAME, mountPath: '/dev/shm' });
  }
  if (code) {
    volumes.push(code.volume);
    mounts.push(code.mount);
  }
  volumes.push(...options.volumes);
  mounts.push(...options.volumeMounts);

  const container: V1Container = { name: CONTAINER_NAME, image: options.image, ...commandAndEnv(job, runs) };
  if (code) container.workingDir = code.workingDir;
  const containerResources = resourceRequirements(resources);
  if (containerResources) container.resources = containerResources;
  if (mounts.length > 0) container.volumeMounts = mounts;

  const spec: V1PodSpec = { restartPolicy: 'Never', containers: [container] };
  const nodeSelector = { ...(resources.gpuType === undefined ? {} : { [GPU_PRODUCT_LABEL]: resources.gpuType }), ...options.nodeSelector };
  if (Object.keys(nodeSelector).length > 0) spec.nodeSelector = nodeSelector;
  const tolerations = [...(resources.gpus > 0 ? [{ ...GPU_TOLERATION }] : []), ...options.tolerations];
  if (tolerations.length > 0) spec.tolerations = tolerations;
  if (volumes.length > 0) spec.volumes = volumes;
  if (options.serviceAccount !== undefined) spec.serviceAccountName = options.serviceAccount;
  if (options.imagePullSecrets.length > 0) spec.imagePullSecrets = options.imagePullSecrets.map((secret) => ({ name: secret }));
  return spec;
}

/** Set by the runner: a job's env of the same name is left out rather than sent twice. */
const RUNNER_VARIABLES = new Set(['MLTRAIL_RUN_ID', 'MLTRAIL_PARAMS', 'PYTHONUNBUFFERED']);

function commandAndEnv(job: JobDefinition, runs: ManifestRun[]): Pick<V1Container, 'command' | 'env'> {
  const env: V1EnvVar[] = Object.entries(job.env)
    .filter(([variable]) => !RUNNER_VARIABLES.has(variable))
    .map(([variable, value]) => ({ name: variable, value }));
  const [only] = runs;
  if (runs.length === 1 && only) {
    env.push({ name: 'MLTRAIL_RUN_ID', value: only.runId }, { name: 'MLTRAIL_PARAMS', value: JSON.stringify(only.plan.params) });
    env.push({ name: 'PYTHONUNBUFFERED', value: '1' });
    return { command: [...only.plan.command], env };
  }
  env.push({ name: 'PYTHONUNBUFFERED', value: '1' });
  return { command: ['/bin/sh', '-c', sweepScript(runs)], env };
}

/**
 * The script an Indexed Job's container runs: it exports the run id and params of its completion index and execs
 * that index's argv, every word single-quoted.
 */
export function sweepScript(runs: readonly ManifestRun[]): string {
  const cases = runs.map(({ runId, plan }, index) => {
    const exports = `export MLTRAIL_RUN_ID=${shellQuote(runId)} MLTRAIL_PARAMS=${shellQuote(JSON.stringify(plan.params))}`;
    return `${index}) ${exports}; exec ${plan.command.map(shellQuote).join(' ')} ;;`;
  });
  return [
    'case "$JOB_COMPLETION_INDEX" in',
    ...cases,
    '*) echo "mltrail: no run for completion index $JOB_COMPLETION_INDEX" >&2; exit 64 ;;',
    'esac',
    '',
  ].join('\n');
}

/** A word for a POSIX shell, taken literally: single-quoted, each ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function resourceRequirements(resources: KubernetesResources): V1ResourceRequirements | undefined {
  const quantities: Record<string, string> = {};
  if (resources.cpu !== undefined) quantities.cpu = resources.cpu;
  if (resources.memory !== undefined) quantities.memory = resources.memory;
  const limits = { ...quantities, ...(resources.gpus > 0 ? { [GPU_RESOURCE]: String(resources.gpus) } : {}) };
  if (Object.keys(limits).length === 0) return undefined;
  return Object.keys(quantities).length > 0 ? { requests: quantities, limits } : { limits };
}
