// Launching a job on Kubernetes: the code ConfigMap (for "code": "configmap") and the Job are created first, then
// each run of the launch is recorded in the store with where it lives on the cluster. A rejected Job leaves nothing
// behind, on the cluster or in the store.
import fs from 'node:fs';
import path from 'node:path';
import type { V1ConfigMap, V1Job } from '@kubernetes/client-node';
import { readGitState } from '../../datasets/gitState.ts';
import { appendLines } from '../../platform/atomicFile.ts';
import type { GitInfo } from '../../runs/records.ts';
import { RUN_FILE, newRunId, runDir } from '../../store/layout.ts';
import { latestDatasetVersion } from '../datasetVersions.ts';
import type { JobDefinition } from '../jobConfig.ts';
import type { JobRunPlan } from '../jobParams.ts';
import { buildCodeConfigMap, codeMount, collectCodeFiles } from './codeConfigMap.ts';
import { buildJobManifest, kubernetesJobName } from './jobManifest.ts';
import { describeKubernetesError, isNotFound } from './kubernetesErrors.ts';
import { requireKubernetesJobOptions } from './kubernetesOptions.ts';
import { writeKubernetesRunState } from './kubernetesRunState.ts';
import { JOB_NAME_LABEL, type KubernetesConnection, type KubernetesPlacement, type KubernetesRunState, LAUNCH_ID_LABEL } from './kubernetesRun.ts';

export interface KubernetesSubmission {
  placement: KubernetesPlacement;
  runs: Array<{ id: string; dir: string; plan: JobRunPlan }>;
}

export interface KubernetesSubmitOptions {
  connection: KubernetesConnection;
  /** The workspace folder: git state, and the code shipped for "code": "configmap". */
  folder: string;
  storeDir: string;
  job: JobDefinition;
  /** One plan makes a plain Job; several make one Indexed Job, plan i at completion index i. */
  plans: JobRunPlan[];
  /** Overrides `kubernetes.namespace` of the job, which overrides the context's namespace. */
  namespace?: string;
  signal?: AbortSignal;
}

export async function submitKubernetesJob(options: KubernetesSubmitOptions): Promise<KubernetesSubmission> {
  const { connection, folder, storeDir, job, plans, signal } = options;
  signal?.throwIfAborted();
  if (plans.length === 0) throw new Error(`job "${job.name}": no run to submit`);
  const kubernetes = requireKubernetesJobOptions(job);
  const namespace = options.namespace ?? kubernetes.namespace ?? connection.namespace;
  const startTime = Date.now();
  const launchId = newRunId(new Date(startTime));
  const runIds = plans.length === 1 ? [launchId] : plans.map((_plan, index) => `${launchId}-${index}`);
  const jobName = kubernetesJobName(job.name, launchId);

  const [bundle, git] = await Promise.all([kubernetes.code === 'configmap' ? collectCodeFiles(folder, job.script) : undefined, readGitState(folder)]);
  const configMap = bundle && buildCodeConfigMap(bundle, jobName, { [LAUNCH_ID_LABEL]: launchId, [JOB_NAME_LABEL]: job.name });
  const manifest = buildJobManifest({
    name: jobName,
    launchId,
    job,
    options: kubernetes,
    runs: plans.map((plan, index) => ({ runId: runIds[index]!, plan })),
    ...(bundle ? { code: codeMount(bundle, jobName) } : {}),
  });
  await createOnCluster({ connection, namespace, manifest, configMap, signal });

  const placement: KubernetesPlacement = { context: connection.context, namespace, jobName, launchId, runIds };
  const runs = plans.map((plan, index) => {
    const id = runIds[index]!;
    const dir = recordRun({ storeDir, id, job, plan, git, placement, index, startTime });
    return { id, dir, plan };
  });
  return { placement, runs };
}

interface ClusterRequest {
  connection: KubernetesConnection;
  namespace: string;
  manifest: V1Job;
  configMap: V1ConfigMap | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Creates the ConfigMap, then the Job, then makes the Job the ConfigMap's owner so that deleting the Job deletes it.
 * On any failure or abort on the way, what was created is deleted again.
 */
async function createOnCluster({ connection, namespace, manifest, configMap, signal }: ClusterRequest): Promise<void> {
  const { BatchV1Api, CoreV1Api } = await import('./kubernetesClient.ts');
  const batch = connection.kubeConfig.makeApiClient(BatchV1Api);
  const core = connection.kubeConfig.makeApiClient(CoreV1Api);
  const jobName = manifest.metadata!.name!;
  let configMapCreated = false;
  let jobCreated = false;
  try {
    if (configMap) {
      await core.createNamespacedConfigMap({ namespace, body: configMap });
      configMapCreated = true;
      signal?.throwIfAborted();
    }
    const created = await batch.createNamespacedJob({ namespace, body: manifest });
    jobCreated = true;
    signal?.throwIfAborted();
    if (configMap) {
      const owner = { apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: created.metadata!.uid! };
      await core.patchNamespacedConfigMap({ name: jobName, namespace, body: [{ op: 'add', path: '/metadata/ownerReferences', value: [owner] }] });
      signal?.throwIfAborted();
    }
  } catch (error) {
    const leftovers: string[] = [];
    const removeAgain = async (what: string, request: () => Promise<unknown>) => {
      await request().catch((cleanupError: unknown) => {
        // Already gone: the ConfigMap goes with its owner Job.
        if (!isNotFound(cleanupError)) leftovers.push(`the ${what} ${namespace}/${jobName} could not be deleted (${describeKubernetesError(cleanupError, connection)})`);
      });
    };
    if (jobCreated) await removeAgain('Job', () => batch.deleteNamespacedJob({ name: jobName, namespace, propagationPolicy: 'Background' }));
    if (configMapCreated) await removeAgain('ConfigMap', () => core.deleteNamespacedConfigMap({ name: jobName, namespace }));
    const aborted = signal?.aborted === true && error === signal.reason;
    if (aborted && leftovers.length === 0) throw error;
    const why = aborted ? 'the launch was cancelled' : describeKubernetesError(error, connection);
    throw new Error([why, ...leftovers].join('; '), { cause: error });
  }
}

interface RunRecord {
  storeDir: string;
  id: string;
  job: JobDefinition;
  plan: JobRunPlan;
  git: GitInfo | undefined;
  placement: KubernetesPlacement;
  index: number;
  startTime: number;
}

/** The run's start, params, tags and inputs records, and its job-state.json with the `kubernetes` section. */
function recordRun({ storeDir, id, job, plan, git, placement, index, startTime }: RunRecord): string {
  const dir = runDir(storeDir, id);
  fs.mkdirSync(dir, { recursive: true });
  const start: Record<string, unknown> = { type: 'start', time: startTime, name: plan.name, command: plan.command };
  if (job.experiment !== undefined) start.experiment = job.experiment;
  if (git) start.git = git;
  start.backend = 'kubernetes';
  start.kubernetes = { context: placement.context, namespace: placement.namespace, job: placement.jobName, index };
  appendLines(path.join(dir, RUN_FILE), [
    JSON.stringify(start),
    JSON.stringify({ type: 'params', values: plan.params }),
    JSON.stringify({ type: 'tags', values: { job: job.name } }),
    ...job.inputs.map((dataset) => {
      const version = latestDatasetVersion(storeDir, dataset);
      return JSON.stringify({ type: 'input', dataset, ...(version === undefined ? {} : { version }) });
    }),
  ]);
  const state: KubernetesRunState = { placement, index, phase: 'queued', pods: {}, copiedEvents: [] };
  writeKubernetesRunState(dir, state);
  return dir;
}
