import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions } from '../../k8s/fakeApiServer.ts';
import { trainingJob, type TrainingJobOptions } from '../../k8s/manifests.ts';
import { insufficientGpuMessage } from '../../k8s/podScripts.ts';

let server: FakeApiServer | undefined;
afterEach(() => server?.stop());

async function runJob(jobOptions: TrainingJobOptions, serverOptions: FakeApiServerOptions = {}, steps = Infinity) {
  server = await startFakeApiServer(serverOptions);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  await kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: 'ns', body: trainingJob('job', jobOptions) });
  if (steps === Infinity) await server.controller.runToEnd();
  else for (let step = 0; step < steps; step++) server.controller.advance();
  const store = server.store;
  return {
    job: () => store.get('jobs', 'ns', 'job')!,
    pods: () => store.list('pods', 'ns'),
    eventsFor: (name: string) => store.list('events', 'ns').filter((event) => event.involvedObject.name === name),
  };
}

function condition(job: { status?: any }, type: string) {
  return job.status.conditions?.find((candidate: { type: string }) => candidate.type === type);
}

describe('scripted job controller', () => {
  it('runs an Indexed Job as one pod per index, annotated and labelled, and completes it', async () => {
    const { job, pods } = await runJob({ completions: 3, indexed: true, script: 'succeed' });
    const indexes = pods().map((pod) => pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1', '2']);
    assert.ok(pods().every((pod) => pod.metadata.labels?.['job-name'] === 'job' && pod.metadata.labels?.app === 'train'));
    assert.equal(job().status.succeeded, 3);
    assert.equal(job().status.completedIndexes, '0-2');
    assert.equal(condition(job(), 'Complete')?.status, 'True');
    assert.equal(job().status.active, undefined);
  });

  it('leaves an unschedulable pod Pending with a FailedScheduling event naming the missing GPUs', async () => {
    const { pods, eventsFor, job } = await runJob({ script: 'unschedulable' });
    const [pod] = pods();
    assert.equal(pod?.status.phase, 'Pending');
    assert.equal(pod?.status.conditions[0].reason, 'Unschedulable');
    const scheduling = eventsFor(pod!.metadata.name).find((event) => event.reason === 'FailedScheduling');
    assert.equal(scheduling?.message, insufficientGpuMessage);
    assert.equal(scheduling?.type, 'Warning');
    assert.equal(job().status.active, 1);
  });

  it('walks an image pull failure from ErrImagePull to ImagePullBackOff', async () => {
    const { pods, eventsFor } = await runJob({ script: 'image-pull-backoff' }, {}, 1);
    assert.equal(pods()[0]?.status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    server!.controller.advance();
    const [pod] = pods();
    assert.equal(pod?.status.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
    assert.deepEqual(eventsFor(pod!.metadata.name).filter((event) => event.type === 'Warning').map((event) => event.message).filter((message) => message.startsWith('Error:')), ['Error: ErrImagePull', 'Error: ImagePullBackOff']);
  });

  it('reports an OOMKilled container with exit code 137 and fails the Job past its backoff limit', async () => {
    const { pods, job } = await runJob({ script: 'oom-killed', backoffLimit: 0 });
    const terminated = pods()[0]?.status.containerStatuses[0].state.terminated;
    assert.deepEqual([terminated.reason, terminated.exitCode], ['OOMKilled', 137]);
    assert.equal(condition(job(), 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(job().status.failed, 1);
  });

  it('replaces a failed pod until the backoff limit, then fails the Job', async () => {
    const { pods, job } = await runJob({ script: 'fail', backoffLimit: 1 });
    assert.equal(pods().length, 2);
    assert.ok(pods().every((pod) => pod.status.containerStatuses[0].state.terminated.exitCode === 1));
    assert.equal(job().status.failed, 2);
    assert.equal(condition(job(), 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('picks scripts per attempt through chooseScript: a failed first attempt, then success', async () => {
    const { job, pods } = await runJob({ backoffLimit: 1 }, {
      controller: { chooseScript: ({ attempt }) => (attempt === 0 ? [{ kind: 'running' }, { kind: 'failed', exitCode: 3 }] : undefined) },
    });
    assert.deepEqual(pods().map((pod) => pod.status.phase).sort(), ['Failed', 'Succeeded']);
    assert.deepEqual([job().status.failed, job().status.succeeded], [1, 1]);
    assert.equal(condition(job(), 'Complete')?.status, 'True');
  });

  it('marks an evicted pod with status.reason Evicted', async () => {
    const { pods } = await runJob({ script: 'evicted' });
    assert.equal(pods()[0]?.status.reason, 'Evicted');
    assert.equal(pods()[0]?.status.phase, 'Failed');
  });

  it('fails a Job past its deadline with DeadlineExceeded and removes its active pods', async () => {
    const { pods, job } = await runJob({ script: 'deadline-exceeded', completions: 2 });
    assert.equal(condition(job(), 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(pods().length, 0);
  });

  it('creates no pods for a suspended Job until it is unsuspended (Kueue admission)', async () => {
    const { pods, job } = await runJob({ script: 'succeed', suspend: true });
    assert.equal(pods().length, 0);
    assert.equal(condition(job(), 'Suspended')?.status, 'True');
    assert.equal(job().status.startTime, undefined);

    server!.controller.unsuspend('ns', 'job');
    await server!.controller.runToEnd();
    assert.equal(pods().length, 1);
    assert.equal(condition(job(), 'Suspended')?.status, 'False');
    assert.equal(condition(job(), 'Complete')?.status, 'True');
  });
});
