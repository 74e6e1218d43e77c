import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BatchV1Api, type V1Job } from '@kubernetes/client-node';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { buildJobManifest, kubernetesJobName, MAX_JOB_NAME_LENGTH, shellQuote } from '../../../../src/jobs/kubernetes/jobManifest.ts';
import { connectKubernetes } from '../../../../src/jobs/kubernetes/kubeContexts.ts';
import { InvalidKubernetesOptions, parseKubernetesJobOptions, requireKubernetesJobOptions } from '../../../../src/jobs/kubernetes/kubernetesOptions.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';

const run = promisify(execFile);
const LAUNCH_ID = '20260301-120000-a1b2c3';

function definition(extra: Partial<JobDefinition> = {}): JobDefinition {
  return {
    name: 'train',
    command: ['python', 'train.py', '--lr', '{lr}'],
    params: { lr: 0.001, epochs: 10 },
    sweep: {},
    env: {},
    inputs: [],
    kubernetes: { image: 'pytorch/pytorch:2.5' },
    ...extra,
  };
}

/** The manifest of a job's runs, run ids as submitKubernetesJob gives them. */
function manifestOf(job: JobDefinition): V1Job {
  const plans = planJobRuns(job);
  const runs = plans.map((plan, index) => ({ runId: plans.length === 1 ? LAUNCH_ID : `${LAUNCH_ID}-${index}`, plan }));
  return buildJobManifest({ name: kubernetesJobName(job.name, LAUNCH_ID), launchId: LAUNCH_ID, job, options: requireKubernetesJobOptions(job), runs });
}

const podSpecOf = (manifest: V1Job) => manifest.spec!.template.spec!;
const containerOf = (manifest: V1Job) => podSpecOf(manifest).containers[0]!;
const envOf = (manifest: V1Job) => Object.fromEntries((containerOf(manifest).env ?? []).map((variable) => [variable.name, variable.value]));

/** Every manifest built in this file, to be created in the fake API server at the end. */
const built: V1Job[] = [];
function build(job: JobDefinition): V1Job {
  const manifest = manifestOf(job);
  built.push(manifest);
  return manifest;
}

describe('kubernetes options', () => {
  it('reads the issue example into typed options', () => {
    const result = parseKubernetesJobOptions(
      definition({
        resources: { gpus: 1, gpuType: 'NVIDIA-A100-SXM4-80GB', cpu: '8', memory: '32Gi', shm: '8Gi' },
        kubernetes: {
          context: 'gpu-cluster', namespace: 'ml', image: 'registry.example.com/train:1', queue: 'team-a', nodeSelector: { pool: 'a100' },
          tolerations: [{ key: 'spot', operator: 'Exists' }], serviceAccount: 'trainer', imagePullSecrets: ['registry'],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'datasets' } }], volumeMounts: [{ name: 'data', mountPath: '/data' }],
          code: 'configmap', backoffLimit: 2, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 60, parallelism: 4,
        },
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.options, {
      context: 'gpu-cluster', namespace: 'ml', image: 'registry.example.com/train:1', queue: 'team-a', nodeSelector: { pool: 'a100' },
      tolerations: [{ key: 'spot', operator: 'Exists' }], serviceAccount: 'trainer', imagePullSecrets: ['registry'],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'datasets' } }], volumeMounts: [{ name: 'data', mountPath: '/data' }],
      code: 'configmap', backoffLimit: 2, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 60, parallelism: 4,
      resources: { gpus: 1, gpuType: 'NVIDIA-A100-SXM4-80GB', cpu: '8', memory: '32Gi', shm: '8Gi' },
    });
  });

  it('defaults code to image, backoffLimit to 0, activeDeadlineSeconds to a day, ttlSecondsAfterFinished to a week, gpus to 0', () => {
    const options = requireKubernetesJobOptions(definition());
    assert.deepEqual(
      [options.code, options.backoffLimit, options.activeDeadlineSeconds, options.ttlSecondsAfterFinished, options.resources.gpus],
      ['image', 0, 86_400, 604_800, 0],
    );
  });

  it('collects every problem with its key path', () => {
    const result = parseKubernetesJobOptions(
      definition({
        resources: { gpus: -1, cpu: 'eight', memory: '32GB', shm: '8Gi', disk: '1Ti' },
        kubernetes: { code: 'zip', tolerations: { key: 'x' }, backoffLimit: 1.5, namespace: 'ML_Team', volumes: [{ name: 'mltrail-shm', emptyDir: {} }, { emptyDir: {} }] },
      }),
    );
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    const expected = [
      'jobs.train.kubernetes.image is required',
      'jobs.train.resources.gpus must be a non-negative integer',
      'jobs.train.resources.cpu must be a Kubernetes quantity',
      'jobs.train.resources.memory must be a Kubernetes quantity',
      'jobs.train.resources.disk is not a known key',
      'jobs.train.kubernetes.code must be "image" or "configmap"',
      'jobs.train.kubernetes.tolerations must be a list of objects',
      'jobs.train.kubernetes.backoffLimit must be a non-negative integer',
      'jobs.train.kubernetes.namespace must be a Kubernetes namespace name',
      'jobs.train.kubernetes.volumes[0].name "mltrail-shm" is reserved',
      'jobs.train.kubernetes.volumes[1].name is required',
    ];
    for (const start of expected) assert.ok(problems.some((problem) => problem.startsWith(start)), `missing "${start}" in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('accepts the quantity forms Kubernetes accepts and refuses the others', () => {
    const valid = ['8', '500m', '0.5', '32Gi', '1e3', '1.5G', '.5', 4];
    const invalid = ['32GB', '-1', '8 Gi', 'Gi', '1.2.3', ''];
    for (const cpu of valid) assert.ok(parseKubernetesJobOptions(definition({ resources: { cpu } })).ok, `${cpu} is a quantity`);
    for (const cpu of invalid) assert.equal(parseKubernetesJobOptions(definition({ resources: { cpu } })).ok, false, `${cpu} is not a quantity`);
  });

  it('refuses a job name that cannot be a label value, and says so in the thrown error', () => {
    const job = definition({ name: `_${'x'.repeat(70)}` });
    assert.throws(() => requireKubernetesJobOptions(job), (error) => {
      assert.ok(error instanceof InvalidKubernetesOptions);
      assert.match(error.message, /cannot run on Kubernetes:\n- jobs\._x+: a job that runs on Kubernetes needs a name of at most 63 characters/);
      return true;
    });
  });
});

describe('Job manifest', () => {
  it('labels the Job and its pods with the launch id and the job name, restartPolicy Never, one container with the plan argv', () => {
    const manifest = build(definition());
    assert.equal(manifest.apiVersion, 'batch/v1');
    assert.equal(manifest.kind, 'Job');
    assert.deepEqual(manifest.metadata?.labels, { 'mltrail/run-id': LAUNCH_ID, 'mltrail/job': 'train' });
    assert.deepEqual(manifest.spec?.template.metadata?.labels, { 'mltrail/run-id': LAUNCH_ID, 'mltrail/job': 'train' });
    assert.equal(podSpecOf(manifest).restartPolicy, 'Never');
    assert.equal(podSpecOf(manifest).containers.length, 1);
    assert.deepEqual(containerOf(manifest).command, ['python', 'train.py', '--lr', '0.001']);
    assert.equal(containerOf(manifest).image, 'pytorch/pytorch:2.5');
    assert.equal(manifest.spec?.completionMode, undefined);
    assert.equal(manifest.spec?.suspend, undefined);
  });

  it('sets the env: the job env, MLTRAIL_RUN_ID, MLTRAIL_PARAMS as JSON and PYTHONUNBUFFERED, the runner winning over the job', () => {
    const manifest = build(definition({ env: { WANDB_MODE: 'offline', MLTRAIL_RUN_ID: 'mine', PYTHONUNBUFFERED: '0' } }));
    assert.deepEqual(envOf(manifest), { WANDB_MODE: 'offline', MLTRAIL_RUN_ID: LAUNCH_ID, MLTRAIL_PARAMS: '{"lr":0.001,"epochs":10}', PYTHONUNBUFFERED: '1' });
    assert.equal(containerOf(manifest).env?.length, 4);
  });

  it('without resources sets none of resources, nodeSelector, tolerations or volumes', () => {
    const spec = podSpecOf(build(definition()));
    assert.equal(spec.containers[0]!.resources, undefined);
    assert.equal(spec.nodeSelector, undefined);
    assert.equal(spec.tolerations, undefined);
    assert.equal(spec.volumes, undefined);
    assert.equal(spec.containers[0]!.volumeMounts, undefined);
  });

  it('asks for GPUs as a limit of nvidia.com/gpu and tolerates the GPU taint', () => {
    const manifest = build(definition({ resources: { gpus: 2 } }));
    assert.deepEqual(containerOf(manifest).resources, { limits: { 'nvidia.com/gpu': '2' } });
    assert.deepEqual(podSpecOf(manifest).tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('sets requests and limits for cpu and memory, GPUs in limits only', () => {
    const manifest = build(definition({ resources: { gpus: 1, cpu: '8', memory: '32Gi' } }));
    assert.deepEqual(containerOf(manifest).resources, { requests: { cpu: '8', memory: '32Gi' }, limits: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '1' } });
    const cpuOnly = build(definition({ resources: { cpu: '500m' } }));
    assert.deepEqual(containerOf(cpuOnly).resources, { requests: { cpu: '500m' }, limits: { cpu: '500m' } });
    assert.equal(podSpecOf(cpuOnly).tolerations, undefined);
  });

  it('selects nodes by gpuType merged with the user nodeSelector, and adds the user tolerations after the GPU one', () => {
    const manifest = build(
      definition({
        resources: { gpus: 1, gpuType: 'NVIDIA-A100-SXM4-80GB' },
        kubernetes: { image: 'img', nodeSelector: { pool: 'training', 'topology.kubernetes.io/zone': 'eu-1a' }, tolerations: [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] },
      }),
    );
    assert.deepEqual(podSpecOf(manifest).nodeSelector, { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', pool: 'training', 'topology.kubernetes.io/zone': 'eu-1a' });
    assert.deepEqual(podSpecOf(manifest).tolerations, [
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
    const userWins = build(definition({ resources: { gpuType: 'A' }, kubernetes: { image: 'img', nodeSelector: { 'nvidia.com/gpu.product': 'B' } } }));
    assert.deepEqual(podSpecOf(userWins).nodeSelector, { 'nvidia.com/gpu.product': 'B' });
  });

  it('mounts /dev/shm as a memory-backed emptyDir sized by shm, beside the user volumes and mounts', () => {
    const manifest = build(
      definition({
        resources: { shm: '8Gi' },
        kubernetes: { image: 'img', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } }], volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] },
      }),
    );
    assert.deepEqual(podSpecOf(manifest).volumes, [
      { name: 'mltrail-shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } },
    ]);
    assert.deepEqual(containerOf(manifest).volumeMounts, [
      { name: 'mltrail-shm', mountPath: '/dev/shm' },
      { name: 'data', mountPath: '/data', readOnly: true },
    ]);
  });

  it('sets backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished: defaults, then overrides', () => {
    const defaults = build(definition());
    assert.deepEqual([defaults.spec?.backoffLimit, defaults.spec?.activeDeadlineSeconds, defaults.spec?.ttlSecondsAfterFinished], [0, 86_400, 604_800]);
    const overridden = build(definition({ kubernetes: { image: 'img', backoffLimit: 3, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 0 } }));
    assert.deepEqual([overridden.spec?.backoffLimit, overridden.spec?.activeDeadlineSeconds, overridden.spec?.ttlSecondsAfterFinished], [3, 7200, 0]);
  });

  it('sets the service account and the image pull secrets', () => {
    const manifest = build(definition({ kubernetes: { image: 'img', serviceAccount: 'trainer', imagePullSecrets: ['registry', 'mirror'] } }));
    assert.equal(podSpecOf(manifest).serviceAccountName, 'trainer');
    assert.deepEqual(podSpecOf(manifest).imagePullSecrets, [{ name: 'registry' }, { name: 'mirror' }]);
  });

  it('with a Kueue queue: labels the Job (not the pods) with the queue and creates it suspended', () => {
    const manifest = build(definition({ kubernetes: { image: 'img', queue: 'team-a' } }));
    assert.equal(manifest.metadata?.labels?.['kueue.x-k8s.io/queue-name'], 'team-a');
    assert.equal(manifest.spec?.template.metadata?.labels?.['kueue.x-k8s.io/queue-name'], undefined);
    assert.equal(manifest.spec?.suspend, true);
  });

  it('names the Job mltrail-<job>-<6 hex>, a DNS-1123 name of at most 52 characters', () => {
    assert.equal(kubernetesJobName('train', LAUNCH_ID), 'mltrail-train-a1b2c3');
    assert.equal(kubernetesJobName('My_Job.v2', LAUNCH_ID), 'mltrail-my-job-v2-a1b2c3');
    assert.equal(kubernetesJobName('___', LAUNCH_ID), 'mltrail-job-a1b2c3');
    const long = kubernetesJobName(`resnet-${'x'.repeat(80)}`, LAUNCH_ID);
    assert.ok(long.length <= MAX_JOB_NAME_LENGTH, long);
    for (const name of [long, kubernetesJobName('a-'.repeat(30), LAUNCH_ID), kubernetesJobName('x', 'not-hex-ID')]) {
      assert.match(name, /^mltrail-[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9a-f]{6}$/);
      assert.doesNotMatch(name, /--/);
    }
  });
});

describe('sweep manifest', () => {
  const tricky = `it's $HOME and "quoted" \`ls\` \\ done`;
  const sweepJob = definition({
    // The container's argv prints its env and arguments, one per line, so that the script's exec can be checked.
    command: ['sh', '-c', 'printf "%s\\n" "$MLTRAIL_RUN_ID" "$MLTRAIL_PARAMS" "$@"', 'argv0', '--lr', '{lr}', '--note', '{note}'],
    params: { lr: 0.1, note: tricky },
    sweep: { lr: [0.001, 0.01, 0.1] },
  });

  it('is one Indexed Job, completions = parallelism = the number of runs, the container running the index script', () => {
    const manifest = build(sweepJob);
    assert.equal(manifest.spec?.completionMode, 'Indexed');
    assert.equal(manifest.spec?.completions, 3);
    assert.equal(manifest.spec?.parallelism, 3);
    assert.deepEqual(containerOf(manifest).command?.slice(0, 2), ['/bin/sh', '-c']);
    assert.deepEqual(envOf(manifest), { PYTHONUNBUFFERED: '1' });
  });

  it('gives each index kubernetes.backoffLimit retries of its own, not one limit for the whole sweep', () => {
    assert.deepEqual([build(sweepJob).spec?.backoffLimitPerIndex, build(sweepJob).spec?.backoffLimit], [0, undefined]);
    const retried = build(definition({ ...sweepJob, kubernetes: { image: 'img', backoffLimit: 2 } }));
    assert.deepEqual([retried.spec?.backoffLimitPerIndex, retried.spec?.backoffLimit], [2, undefined]);
    assert.equal(build(definition({ kubernetes: { image: 'img', backoffLimit: 2 } })).spec?.backoffLimitPerIndex, undefined);
  });

  it('runs kubernetes.parallelism indexes at once when given, never more than there are', () => {
    assert.equal(build(definition({ ...sweepJob, kubernetes: { image: 'img', parallelism: 2 } })).spec?.parallelism, 2);
    assert.equal(build(definition({ ...sweepJob, kubernetes: { image: 'img', parallelism: 10 } })).spec?.parallelism, 3);
  });

  it('execs, per completion index, that run argv with its run id and params, every word taken literally by /bin/sh', async () => {
    const script = containerOf(manifestOf(sweepJob)).command![2]!;
    const plans = planJobRuns(sweepJob);
    for (const [index, plan] of plans.entries()) {
      const { stdout } = await run('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, HOME: '/nowhere', JOB_COMPLETION_INDEX: String(index) } });
      const [runId, params, ...args] = stdout.split('\n').slice(0, -1);
      assert.equal(runId, `${LAUNCH_ID}-${index}`);
      assert.deepEqual(JSON.parse(params!), plan.params);
      assert.deepEqual(args, ['--lr', String(plan.params.lr), '--note', tricky]);
    }
  });

  it('fails an index it has no run for', async () => {
    const script = containerOf(manifestOf(sweepJob)).command![2]!;
    await assert.rejects(run('/bin/sh', ['-c', script], { env: { JOB_COMPLETION_INDEX: '7' } }), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 64);
      assert.match(error.stderr ?? '', /no run for completion index 7/);
      return true;
    });
  });

  it('quotes a word so that the shell reads it back unchanged', async () => {
    for (const word of ['', "'", "a'b'c", '$(id) ${HOME} `x`', 'new\nline', '  spaced  ', '\\"']) {
      const { stdout } = await run('/bin/sh', ['-c', `printf '%s' ${shellQuote(word)}`]);
      assert.equal(stdout, word);
    }
  });
});

describe('Job manifests in the fake API server', () => {
  let server: FakeApiServer;
  let batch: BatchV1Api;

  before(async () => {
    server = await startFakeApiServer({ controller: { defaultScript: 'idle' } });
    batch = (await connectKubernetes(undefined, { file: server.kubeconfigPath })).kubeConfig.makeApiClient(BatchV1Api);
  });
  after(() => server.stop());

  it('accepts every manifest built above, and keeps what the client sent', async () => {
    assert.ok(built.length >= 15, `only ${built.length} manifests were built`);
    for (const [index, manifest] of built.entries()) {
      const name = `${manifest.metadata!.name}-${index}`.slice(0, 52).replace(/-$/, '');
      await batch.createNamespacedJob({ namespace: 'manifests', body: { ...manifest, metadata: { ...manifest.metadata, name } } });
      const stored = server.store.get('jobs', 'manifests', name)!;
      // The client serializes through its models: a field it does not know would be dropped here.
      assert.deepEqual(stored.spec.template.spec, JSON.parse(JSON.stringify(manifest.spec!.template.spec)));
      const read = await batch.readNamespacedJob({ namespace: 'manifests', name });
      assert.equal(read.metadata?.labels?.['mltrail/run-id'], LAUNCH_ID);
      assert.deepEqual(read.spec?.template.spec?.containers[0]?.command, manifest.spec?.template.spec?.containers[0]?.command);
      assert.equal(read.spec?.completionMode, manifest.spec?.completionMode ?? 'NonIndexed');
      assert.equal(read.spec?.backoffLimitPerIndex, manifest.spec?.backoffLimitPerIndex);
      // With backoffLimitPerIndex, the Job-wide limit defaults to the largest int32: the per-index limits decide.
      assert.equal(read.spec?.backoffLimit, manifest.spec?.backoffLimit ?? 2_147_483_647);
    }
  });

  it('refuses backoffLimitPerIndex on a Job that is not Indexed, as the API server does', async () => {
    const [plain] = built.filter((manifest) => manifest.spec?.completionMode === undefined);
    const body = { ...plain!, metadata: { ...plain!.metadata, name: 'per-index-plain' }, spec: { ...plain!.spec!, backoffLimitPerIndex: 1 } };
    await assert.rejects(batch.createNamespacedJob({ namespace: 'manifests', body }), (error: { code?: number; body?: string }) => {
      assert.equal(error.code, 422);
      assert.match(String(error.body), /spec\.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode/);
      return true;
    });
  });
});
