import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendDatasetRecord, datasetRecordsFile } from '../../../../src/datasets/datasetRecords.ts';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { readJobState } from '../../../../src/jobs/jobFiles.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { connectKubernetes } from '../../../../src/jobs/kubernetes/kubeContexts.ts';
import { InvalidKubernetesOptions } from '../../../../src/jobs/kubernetes/kubernetesOptions.ts';
import type { KubernetesConnection } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { readKubernetesRunState } from '../../../../src/jobs/kubernetes/kubernetesRunState.ts';
import { submitKubernetesJob } from '../../../../src/jobs/kubernetes/submitKubernetesJob.ts';
import { isValidRunId } from '../../../../src/store/layout.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { kubeconfigYaml } from '../../../k8s/kubeconfig.ts';
import { tempDir } from '../../../support/tempStore.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A workspace folder in a git repository with one commit, a store, and a recorded dataset. */
function workspace() {
  const folder = tempDir();
  git(folder, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(folder, 'train.py'), 'print("train")\n');
  git(folder, 'add', 'train.py');
  git(folder, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'first');
  const storeDir = path.join(folder, '.mltrail');
  appendDatasetRecord(datasetRecordsFile(storeDir, 'images'), { version: 4, hash: 'xxh64:4' });
  return { folder, storeDir };
}

function definition(extra: Partial<JobDefinition> = {}): JobDefinition {
  return {
    name: 'train',
    script: 'train.py',
    command: ['python', 'train.py', '--lr', '{lr}'],
    params: { lr: 0.01 },
    sweep: {},
    env: {},
    inputs: ['images'],
    experiment: 'baseline',
    kubernetes: { image: 'pytorch/pytorch:2.5' },
    ...extra,
  };
}

function records(dir: string): Array<Record<string, any>> {
  return fs.readFileSync(path.join(dir, 'run.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const runDirs = (storeDir: string) => (fs.existsSync(path.join(storeDir, 'runs')) ? fs.readdirSync(path.join(storeDir, 'runs')) : []);

describe('submitting a job to Kubernetes', () => {
  let server: FakeApiServer;
  let connection: KubernetesConnection;

  before(async () => {
    server = await startFakeApiServer({ namespace: 'ml', controller: { defaultScript: 'idle' } });
    connection = await connectKubernetes(undefined, { file: server.kubeconfigPath });
  });
  after(() => server.stop());

  it('creates the Job in the context namespace and records the run: start, params, tags, inputs and job-state.json', async () => {
    const ws = workspace();
    const job = definition();
    const before = Date.now();
    const { placement, runs } = await submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) });

    assert.equal(runs.length, 1);
    const [only] = runs;
    assert.ok(isValidRunId(only!.id));
    assert.deepEqual(placement, { context: 'fake', namespace: 'ml', jobName: `mltrail-train-${only!.id.slice(-6)}`, launchId: only!.id, runIds: [only!.id] });
    assert.equal(only!.dir, path.join(ws.storeDir, 'runs', only!.id));

    const created = server.store.get('jobs', 'ml', placement.jobName)!;
    assert.deepEqual([created.metadata.labels?.['mltrail/run-id'], created.metadata.labels?.['mltrail/job']], [only!.id, 'train']);
    assert.deepEqual(created.spec.template.spec.containers[0].command, ['python', 'train.py', '--lr', '0.01']);

    const [start, params, tags, input, ...rest] = records(only!.dir);
    assert.deepEqual(rest, []);
    const commit = git(ws.folder, 'rev-parse', 'HEAD').trim();
    assert.deepEqual(start, {
      type: 'start',
      time: start!.time,
      name: 'train',
      command: ['python', 'train.py', '--lr', '0.01'],
      experiment: 'baseline',
      git: { commit, branch: 'main', dirty: true },
      backend: 'kubernetes',
      kubernetes: { context: 'fake', namespace: 'ml', job: placement.jobName, index: 0 },
    });
    assert.ok(start!.time >= before && start!.time <= Date.now());
    assert.deepEqual(params, { type: 'params', values: { lr: 0.01 } });
    assert.deepEqual(tags, { type: 'tags', values: { job: 'train' } });
    assert.deepEqual(input, { type: 'input', dataset: 'images', version: 4 });

    const { kubernetes: section, ...jobState } = readJobState(only!.dir) as ReturnType<typeof readJobState> & { kubernetes?: unknown };
    assert.deepEqual(jobState, { logOffset: 0, logLines: 0, pendingModels: [] });
    assert.deepEqual(section, readKubernetesRunState(only!.dir), 'the log applier keeps the kubernetes section when it rewrites the file');
    assert.deepEqual(readKubernetesRunState(only!.dir), { placement, index: 0, phase: 'queued', pods: {}, copiedEvents: [] });
  });

  it('submits a sweep as one Indexed Job, one run per index with its own params, run ids <launch>-<index>', async () => {
    const ws = workspace();
    const job = definition({ sweep: { lr: [0.001, 0.01, 0.1] } });
    const { placement, runs } = await submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) });

    assert.deepEqual(runs.map((run) => run.id), [0, 1, 2].map((index) => `${placement.launchId}-${index}`));
    assert.deepEqual(placement.runIds, runs.map((run) => run.id));
    const created = server.store.get('jobs', 'ml', placement.jobName)!;
    assert.deepEqual([created.spec.completionMode, created.spec.completions], ['Indexed', 3]);
    assert.equal(server.store.list('jobs', 'ml').filter((candidate) => candidate.metadata.labels?.['mltrail/run-id'] === placement.launchId).length, 1);
    for (const [index, run] of runs.entries()) {
      const [start, params] = records(run.dir);
      assert.equal(start!.name, `train lr=${[0.001, 0.01, 0.1][index]}`);
      assert.deepEqual(start!.kubernetes, { context: 'fake', namespace: 'ml', job: placement.jobName, index });
      assert.deepEqual(params!.values, { lr: [0.001, 0.01, 0.1][index] });
      assert.equal(readKubernetesRunState(run.dir)?.index, index);
    }
    const pods = server.store.list('pods', 'ml').filter((pod) => pod.metadata.labels?.['mltrail/run-id'] === placement.launchId);
    assert.deepEqual(pods.map((pod) => pod.metadata.labels?.['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
  });

  it('takes the namespace given, else the job kubernetes.namespace, else the context namespace', async () => {
    const ws = workspace();
    const job = definition({ kubernetes: { image: 'img', namespace: 'from-job' } });
    assert.equal((await submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) })).placement.namespace, 'from-job');
    const given = await submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job), namespace: 'given' });
    assert.equal(given.placement.namespace, 'given');
    assert.ok(server.store.get('jobs', 'given', given.placement.jobName));
  });

  it('refuses invalid options before sending anything', async () => {
    const ws = workspace();
    const job = definition({ kubernetes: { queue: 'a queue' }, resources: { gpus: 'one' } });
    const seen = server.requests.length;
    await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) }), (error) => {
      assert.ok(error instanceof InvalidKubernetesOptions);
      assert.equal(error.problems.length, 3, error.message);
      return true;
    });
    assert.equal(server.requests.length, seen);
    assert.deepEqual(runDirs(ws.storeDir), []);
  });

  it('leaves nothing behind when the cluster rejects the Job: no ConfigMap, no Job, no run, and says why', async () => {
    const ws = workspace();
    const job = definition({ kubernetes: { image: 'img', code: 'configmap', tolerations: [{ key: 'spot', operator: 'Sometimes' }] } });
    await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) }), (error: Error) => {
      assert.match(error.message, /^the cluster refused the Job \(422 Invalid\): Job\.batch "mltrail-train-[0-9a-f]{6}" is invalid: spec\.template\.spec\.tolerations\[0\]\.operator: Unsupported value: "Sometimes": supported values: "Equal", "Exists"$/);
      return true;
    });
    assert.ok(server.requests.some((request) => request.method === 'POST' && request.path === '/api/v1/namespaces/ml/configmaps'), 'the ConfigMap was created first');
    assert.deepEqual(server.store.list('configmaps', 'ml'), []);
    assert.deepEqual(server.store.list('jobs', 'ml').filter((candidate) => candidate.spec.template.spec.tolerations?.some((toleration: { operator: string }) => toleration.operator === 'Sometimes')), []);
    assert.deepEqual(runDirs(ws.storeDir), []);
  });

  it('stops between requests when aborted, deleting what it created', async () => {
    const ws = workspace();
    const job = definition({ kubernetes: { image: 'img', code: 'configmap' } });
    const jobPosts = () => server.requests.filter((request) => request.method === 'POST' && request.path === '/apis/batch/v1/namespaces/ml/jobs').length;
    const jobPostsBefore = jobPosts();
    const controller = new AbortController();
    const unsubscribe = server.store.subscribe((change) => {
      if (change.resource === 'configmaps' && change.type === 'ADDED') controller.abort();
    });
    try {
      await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job), signal: controller.signal }), { name: 'AbortError' });
    } finally {
      unsubscribe();
    }
    assert.deepEqual(server.store.list('configmaps', 'ml'), []);
    assert.equal(jobPosts(), jobPostsBefore);
    assert.deepEqual(runDirs(ws.storeDir), []);

    const seen = server.requests.length;
    await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job), signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(server.requests.length, seen);
  });
});

describe('submitting to a cluster that cannot take it', () => {
  it('says the cluster cannot be reached when its API server is down', async () => {
    const server = await startFakeApiServer();
    const connection = await connectKubernetes(undefined, { file: server.kubeconfigPath });
    await server.stop();
    const ws = workspace();
    const job = definition();
    await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) }), (error: Error) => {
      assert.equal(error.message, `cannot reach the cluster of context "fake" at ${server.url}: connect ECONNREFUSED ${server.url.replace('http://', '')}`);
      return true;
    });
    assert.deepEqual(runDirs(ws.storeDir), []);
  });

  it('says the credentials were rejected on 401', async () => {
    const server = await startFakeApiServer({ token: 'the-right-token' });
    try {
      const file = path.join(tempDir(), 'kubeconfig');
      fs.writeFileSync(file, kubeconfigYaml({ server: server.url, token: 'an-expired-token', contextName: 'gke-prod' }));
      const connection = await connectKubernetes(undefined, { file });
      const ws = workspace();
      const job = definition();
      await assert.rejects(submitKubernetesJob({ connection, ...ws, job, plans: planJobRuns(job) }), {
        message: 'the credentials of context "gke-prod" were rejected (expired token?): run your cluster login again',
      });
      assert.deepEqual(server.store.list('jobs'), []);
      assert.deepEqual(runDirs(ws.storeDir), []);
    } finally {
      await server.stop();
    }
  });
});
