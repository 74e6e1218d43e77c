import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubernetesTrackers, type KubernetesTrackersOptions, type TrackedStore } from '../../../../src/jobs/editor/kubernetesTrackers.ts';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { LOGS_FILE } from '../../../../src/jobs/jobFiles.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import * as kubernetes from '../../../../src/jobs/kubernetes/index.ts';
import { JOB_NAME_LABEL, type KubernetesConnection, type KubernetesRunState, type KubernetesRunView } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { runDir } from '../../../../src/store/layout.ts';
import { type FakeApiServer, startFakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { podScripts, type PodScriptName } from '../../../k8s/podScripts.ts';
import { tempDir } from '../../../support/tempStore.ts';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A job of mltrail.json whose pods walk through the fake's script of the same name. */
function job(script: PodScriptName, sweep: Record<string, unknown[]> = {}): JobDefinition {
  return { name: script, command: ['python', 'train.py'], params: { lr: 0.1 }, sweep, env: {}, inputs: [], resources: { gpus: 1 }, kubernetes: { image: 'pytorch/pytorch:2.5' } };
}

function recorder() {
  const recorded = { changes: 0, diagnoses: [] as Array<{ store: TrackedStore; view: KubernetesRunView }>, errors: [] as unknown[] };
  const options: KubernetesTrackersOptions = {
    load: async () => kubernetes,
    onChange: () => recorded.changes++,
    onDiagnosis: (store, view) => recorded.diagnoses.push({ store, view }),
    onError: (_placement, error) => recorded.errors.push(error),
  };
  return { recorded, options };
}

describe('Kubernetes trackers of the editor', () => {
  let server: FakeApiServer;
  let connection: KubernetesConnection;
  let store: TrackedStore;

  before(async () => {
    server = await startFakeApiServer({ controller: { chooseScript: ({ job: created }) => podScripts[created.metadata.labels?.[JOB_NAME_LABEL] as PodScriptName] } });
    connection = await kubernetes.connectKubernetes(undefined, { file: server.kubeconfigPath });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1 }));
    store = { folder, storeDir: path.join(folder, '.mltrail') };
  });
  after(() => server.stop());

  const submit = (definition: JobDefinition) => kubernetes.submitKubernetesJob({ connection, folder: store.folder, storeDir: store.storeDir, job: definition, plans: planJobRuns(definition) });

  it('follows a launch: each phase reaches the view, the log comes through onLog as logs.txt gets it, then the tracker is let go', async () => {
    const { recorded, options } = recorder();
    const trackers = new KubernetesTrackers(options);
    after(() => trackers.dispose());
    const submission = await submit(job('succeed'));
    const [run] = submission.runs;
    await trackers.track(store, connection, submission.placement, [{ id: run!.id, name: run!.plan.name, job: 'succeed' }]);
    assert.equal(trackers.isTracking(run!.id), true);
    assert.equal(trackers.connectionOf(run!.id), connection);
    assert.deepEqual(trackers.launched().map((launched) => [launched.run.name, launched.store]), [['succeed', store]]);
    let logged = '';
    trackers.onLog(run!.id, (text) => (logged += text));

    await waitFor(() => trackers.view(run!.id)?.phase === 'queued' && trackers.view(run!.id)?.gpus === 1, 'queued, with the GPU its Job asks for');
    server.controller.advance();
    await waitFor(() => trackers.view(run!.id)?.phase === 'running', 'running');
    await waitFor(() => logged.includes('epoch 1 loss=0.9'), 'the first log line');
    assert.equal(fs.readFileSync(path.join(run!.dir, LOGS_FILE), 'utf8'), logged);
    server.controller.advance();
    server.controller.advance();
    await waitFor(() => trackers.view(run!.id)?.phase === 'succeeded', 'succeeded');
    await waitFor(() => !trackers.isTracking(run!.id), 'the tracker to be let go');
    assert.equal(logged, 'epoch 1 loss=0.9\nepoch 2 loss=0.5\n');
    assert.ok(recorded.changes >= 3, `onChange for each phase (${recorded.changes})`);
    assert.equal(trackers.connectionOf(run!.id), undefined);
    // Once the store has indexed the ended run, its row comes from the store alone.
    trackers.indexed([run!.id]);
    assert.equal(trackers.view(run!.id), undefined);
    assert.deepEqual(trackers.launched(), []);
  });

  it('announces a diagnosis with the store it belongs to', async () => {
    const { recorded, options } = recorder();
    const trackers = new KubernetesTrackers(options);
    after(() => trackers.dispose());
    const submission = await submit(job('unschedulable'));
    await trackers.track(store, connection, submission.placement);
    server.controller.advance();
    await waitFor(() => recorded.diagnoses.length > 0, 'the diagnosis');
    const [{ store: announcedFor, view }] = recorded.diagnoses as [{ store: TrackedStore; view: KubernetesRunView }];
    assert.equal(announcedFor, store);
    assert.equal(view.diagnosis?.reason, 'Unschedulable');
    assert.match(view.diagnosis?.message ?? '', /Insufficient nvidia\.com\/gpu/);
    assert.equal(trackers.view(submission.placement.runIds[0]!)?.phase, 'queued');
    const { launchId, jobName } = submission.placement;
    const watchRequests = () => server.requests.filter((request) => request.query.watch === 'true' && [request.query.labelSelector, request.query.fieldSelector].some((selector) => selector?.endsWith(launchId) || selector?.endsWith(jobName)));
    await waitFor(() => watchRequests().length === 2, 'its job and pod watches');
    const watchesOpen = server.openWatchCount;
    trackers.dispose();
    await waitFor(() => server.openWatchCount <= watchesOpen - 2, 'its job and pod watches to close');
  });

  it('re-attaches one tracker per launch: a sweep of three runs and a single run make two connections and two pod watches', async () => {
    const sweep = await submit(job('idle', { lr: [0.1, 0.01, 0.001] }));
    const single = await submit(job('idle'));
    const states = [...sweep.runs, ...single.runs].map((run) => kubernetes.readKubernetesRunState(runDir(store.storeDir, run.id)) as KubernetesRunState);
    assert.equal(states.length, 4);
    const { recorded, options } = recorder();
    const trackers = new KubernetesTrackers(options);
    after(() => trackers.dispose());
    const contexts: string[] = [];
    const podWatches = () => server.requests.filter((request) => request.query.watch === 'true' && request.path.endsWith('/pods')).length;
    const watchesBefore = podWatches();
    await trackers.reattach(store, states, async (context) => {
      contexts.push(context);
      return connection;
    });
    assert.deepEqual(contexts, ['fake', 'fake']);
    await waitFor(() => states.every((state) => trackers.view(state.placement.runIds[state.index]!)?.podName !== undefined), 'every run\'s pod');
    await waitFor(() => podWatches() - watchesBefore >= 2, 'the pod watches');
    assert.equal(podWatches() - watchesBefore, 2);
    // Attached already: a second re-attach adds nothing.
    await trackers.reattach(store, states, async () => assert.fail('connected again'));
    assert.equal(recorded.errors.length, 0);
  });

  it('reports a launch whose cluster cannot be reached, and tracks the others', async () => {
    const reachable = await submit(job('idle'));
    const state = kubernetes.readKubernetesRunState(runDir(store.storeDir, reachable.runs[0]!.id)) as KubernetesRunState;
    const lost: KubernetesRunState = { ...state, placement: { ...state.placement, context: 'gone', launchId: 'other-launch', runIds: ['other-run'] } };
    const { recorded, options } = recorder();
    const trackers = new KubernetesTrackers(options);
    after(() => trackers.dispose());
    await trackers.reattach(store, [state, lost], async (context) => {
      if (context === 'gone') throw new Error('context "gone" is not in the kubeconfig');
      return connection;
    });
    assert.equal(recorded.errors.length, 1);
    assert.match((recorded.errors[0] as Error).message, /context "gone"/);
    assert.equal(trackers.isTracking(reachable.runs[0]!.id), true);
    assert.equal(trackers.isTracking('other-run'), false);
  });

  it('tries a launch it could not follow again only once the re-attach interval has passed', async () => {
    const submitted = await submit(job('idle'));
    const state = kubernetes.readKubernetesRunState(runDir(store.storeDir, submitted.runs[0]!.id)) as KubernetesRunState;
    let now = 1_000_000;
    const { recorded, options } = recorder();
    const trackers = new KubernetesTrackers({ ...options, now: () => now, reattachIntervalMs: 120_000 });
    after(() => trackers.dispose());
    let connects = 0;
    const unreachable = async () => {
      connects++;
      throw new Error('the cluster is unreachable');
    };
    await trackers.reattach(store, [state], unreachable);
    now += 119_999;
    await trackers.reattach(store, [state], unreachable);
    assert.deepEqual([connects, recorded.errors.length], [1, 1], 'not tried again within the interval');
    now += 1;
    await trackers.reattach(store, [state], async () => {
      connects++;
      return connection;
    });
    assert.equal(connects, 2);
    assert.equal(trackers.follows(submitted.runs[0]!.id), true);
    assert.equal(trackers.isTracking(submitted.runs[0]!.id), true);
  });
});
