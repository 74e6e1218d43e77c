// Shared by the Kubernetes tracker tests: a fake cluster reached through the real client, a workspace with a store,
// and a launch submitted the way the submitter does it (runs' start records and job-state.json, then the Job).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { JOB_NAME_LABEL, KUEUE_QUEUE_LABEL, LAUNCH_ID_LABEL, type KubernetesConnection, type KubernetesPlacement, type KubernetesRunView } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { type KubernetesTrackOptions, trackKubernetesLaunch } from '../../../../src/jobs/kubernetes/kubernetesTracker.ts';
import { RUN_FILE, newRunId, runDir } from '../../../../src/store/layout.ts';
import { type FakeApiServer, type FakeApiServerOptions, startFakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../../k8s/manifests.ts';
import type { PodScriptName } from '../../../k8s/podScripts.ts';
import { tempDir } from '../../../support/tempStore.ts';

export interface Cluster {
  server: FakeApiServer;
  kubeConfig: KubeConfig;
  connection: KubernetesConnection;
  batch: BatchV1Api;
  core: CoreV1Api;
}

export async function startCluster(options: FakeApiServerOptions = {}): Promise<Cluster> {
  const server = await startFakeApiServer(options);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  return {
    server,
    kubeConfig,
    connection: { kubeConfig, context: 'fake', namespace: 'default', server: server.url },
    batch: kubeConfig.makeApiClient(BatchV1Api),
    core: kubeConfig.makeApiClient(CoreV1Api),
  };
}

export interface Workspace {
  folder: string;
  storeDir: string;
}

export function workspace(): Workspace {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1 }));
  return { folder, storeDir: path.join(folder, '.mltrail') };
}

export interface LaunchOptions {
  /** The Job's name; also the job's name in mltrail.json. */
  name: string;
  /** More than one makes an Indexed Job, one run per index. */
  runs?: number;
  script?: PodScriptName;
  suspend?: boolean;
  queue?: string;
  backoffLimit?: number;
  gpus?: number;
  /** Where the Job goes; default "default", the connection's namespace. */
  namespace?: string;
}

/** Records the runs as the submitter does (start record, params, tags, job-state.json), then creates the Job. */
export async function launch(cluster: Cluster, ws: Workspace, options: LaunchOptions): Promise<KubernetesPlacement> {
  const count = options.runs ?? 1;
  const runIds = Array.from({ length: count }, () => newRunId());
  const launchId = count === 1 ? runIds[0]! : `sweep-${newRunId()}`;
  const namespace = options.namespace ?? 'default';
  const placement: KubernetesPlacement = { context: 'fake', namespace, jobName: options.name, launchId, runIds };
  runIds.forEach((runId, index) => {
    const dir = runDir(ws.storeDir, runId);
    fs.mkdirSync(dir, { recursive: true });
    const start = {
      type: 'start',
      time: Date.now(),
      name: count === 1 ? options.name : `${options.name} #${index}`,
      command: ['python', 'train.py'],
      host: os.hostname(),
      backend: 'kubernetes',
      kubernetes: { context: 'fake', namespace, job: options.name, index },
    };
    fs.writeFileSync(path.join(dir, RUN_FILE), [start, { type: 'params', values: { index } }, { type: 'tags', values: { job: options.name } }].map((record) => JSON.stringify(record) + '\n').join(''));
    const kubernetes = { placement, index, phase: 'queued', pods: {}, copiedEvents: [] };
    fs.writeFileSync(path.join(dir, 'job-state.json'), JSON.stringify({ logOffset: 0, logLines: 0, pendingModels: [], kubernetes }) + '\n');
  });
  const labels = { [LAUNCH_ID_LABEL]: launchId, [JOB_NAME_LABEL]: options.name, ...(options.queue ? { [KUEUE_QUEUE_LABEL]: options.queue } : {}) };
  const body = trainingJob(options.name, {
    ...(options.script ? { script: options.script } : {}),
    ...(count > 1 ? { completions: count, indexed: true } : {}),
    ...(options.suspend ? { suspend: true } : {}),
    ...(options.backoffLimit !== undefined ? { backoffLimit: options.backoffLimit } : {}),
    labels,
  });
  Object.assign(body.spec.template.metadata.labels, { [LAUNCH_ID_LABEL]: launchId, [JOB_NAME_LABEL]: options.name });
  if (options.gpus) Object.assign(body.spec.template.spec.containers[0]!, { resources: { limits: { 'nvidia.com/gpu': String(options.gpus), memory: '16Gi' } } });
  await cluster.batch.createNamespacedJob({ namespace, body });
  return placement;
}

export interface Recorded {
  tracking: ReturnType<typeof trackKubernetesLaunch>;
  /** Every views() pushed through onChange, with when it came (performance.now()). */
  changes: Array<{ at: number; views: KubernetesRunView[] }>;
  /** onLog's text by run id. */
  logs: Map<string, string>;
  diagnoses: KubernetesRunView[];
  errors: unknown[];
}

/** Tracks a launch and records what the callbacks report. */
export function track(cluster: Cluster, ws: Workspace, placement: KubernetesPlacement, extra: Partial<KubernetesTrackOptions> = {}): Recorded {
  const recorded: Omit<Recorded, 'tracking'> = { changes: [], logs: new Map(), diagnoses: [], errors: [] };
  const tracking = trackKubernetesLaunch({
    connection: cluster.connection,
    storeDir: ws.storeDir,
    folder: ws.folder,
    placement,
    onChange: (views) => recorded.changes.push({ at: performance.now(), views }),
    onLog: (runId, text) => recorded.logs.set(runId, (recorded.logs.get(runId) ?? '') + text),
    onDiagnosis: (view) => recorded.diagnoses.push(view),
    onError: (error) => recorded.errors.push(error),
    ...extra,
  });
  return { tracking, ...recorded };
}

/** The promise's value, or a failed assertion once `timeoutMs` has passed: for a promise that a bug leaves pending. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `timed out waiting for ${what}` })), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function runFile(ws: Workspace, runId: string, name: string): string {
  return path.join(runDir(ws.storeDir, runId), name);
}

export function readText(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

export function jsonLines(file: string): Array<Record<string, any>> {
  return readText(file)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export function endRecords(ws: Workspace, runId: string): Array<Record<string, any>> {
  return jsonLines(runFile(ws, runId, RUN_FILE)).filter((record) => record.type === 'end');
}

export async function podsOf(cluster: Cluster, placement: KubernetesPlacement): Promise<string[]> {
  const pods = await cluster.core.listNamespacedPod({ namespace: placement.namespace, labelSelector: `${LAUNCH_ID_LABEL}=${placement.launchId}` });
  return pods.items.map((pod) => pod.metadata!.name!);
}
