import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { MLTrailApi } from '../../../src/extension.ts';
import type { JobLaunchResult } from '../../../src/jobs/editor/jobLauncher.ts';
import type { JobRowState } from '../../../src/jobs/editor/jobRows.ts';
import { JOB_NAME_LABEL, LAUNCH_ID_LABEL } from '../../../src/jobs/kubernetes/kubernetesRun.ts';
import { type FakeApiServer, startFakeApiServer } from '../../k8s/fakeApiServer.ts';
import type { PodStep } from '../../k8s/podScripts.ts';
import { activateMLTrail, eventually, workspacePath } from './helpers.ts';

/** Prints a metric and a plain line every 200 ms, ten times: long enough to be seen running. */
const PRINT_METRICS = `const { lr } = JSON.parse(process.env.MLTRAIL_PARAMS);
let step = 0;
const timer = setInterval(() => {
  console.log(JSON.stringify({ mltrail: 'metric', name: 'loss', step, value: lr / (step + 1) }));
  console.log('plain line ' + step);
  if (++step === 10) clearInterval(timer);
}, 200);`;

const POD_SCRIPTS: Record<string, PodStep[]> = {
  'k8s-train': [
    { kind: 'running', logs: ['{"mltrail":"metric","name":"loss","step":1,"value":0.25}', 'epoch 1 done'] },
    { kind: 'log', lines: ['epoch 2 done'] },
    { kind: 'succeeded' },
  ],
  'k8s-long': [{ kind: 'running', logs: ['training for a long time'] }],
};

const kubernetesJob = { command: ['python', 'train.py'], params: { lr: 0.1 }, experiment: 'jobs-suite', resources: { gpus: 1 }, kubernetes: { image: 'pytorch/pytorch:2.5' } };

const JOBS = {
  'print-metrics': { command: [process.execPath, '-e', PRINT_METRICS], params: { lr: 0.5 }, experiment: 'jobs-suite' },
  sleeper: { command: [process.execPath, '-e', 'setTimeout(() => {}, 600000)'], experiment: 'jobs-suite' },
  'k8s-train': kubernetesJob,
  'k8s-long': kubernetesJob,
};

/** Every state each run's row goes through, as the Jobs view's model is told of changes. */
function recordStates(api: MLTrailApi): { of(runId: string): JobRowState[]; dispose(): void } {
  const states = new Map<string, JobRowState[]>();
  const subscription = api.jobsTree.onDidChangeTreeData(() => {
    for (const { runId, state } of api.jobsTree.rows()) {
      const seen = states.get(runId) ?? [];
      if (seen.at(-1) !== state) states.set(runId, [...seen, state]);
    }
  });
  return { of: (runId) => states.get(runId) ?? [], dispose: () => subscription.dispose() };
}

function assertInOrder(seen: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const state of seen) if (state === expected[at]) at++;
  assert.equal(at, expected.length, `expected ${expected.join(' → ')} in ${seen.join(' → ')}`);
}

describe('jobs', () => {
  let api: MLTrailApi;
  let folder: string;
  let configFile: string;
  let originalConfig: string;
  const launchedRuns: string[] = [];

  const launch = async (job: string, backend: 'local' | 'kubernetes'): Promise<JobLaunchResult> => {
    const result = await vscode.commands.executeCommand<JobLaunchResult | undefined>('mltrail.launchJob', { folder, job, backend });
    assert.ok(result, `launching ${job} returned nothing`);
    launchedRuns.push(...result.runIds);
    return result;
  };
  const row = (runId: string) => api.jobsTree.rows().find((candidate) => candidate.runId === runId);
  const run = async (runId: string) => (await api.listRuns()).find((candidate) => candidate.id === runId);

  before(async () => {
    api = await activateMLTrail();
    await api.listRuns();
    folder = vscode.workspace.workspaceFolders![0]!.uri.toString();
    configFile = path.join(workspacePath(), 'mltrail.json');
    originalConfig = fs.readFileSync(configFile, 'utf8');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(originalConfig), jobs: JOBS }, null, 2));
    // The store reads mltrail.json again when its watcher reports the change: until then the jobs are unknown.
    await eventually(async () => {
      const result = await vscode.commands.executeCommand<JobLaunchResult | undefined>('mltrail.launchJob', { folder, job: 'sleeper', backend: 'local' });
      if (result) launchedRuns.push(...result.runIds);
      return result;
    }, 'mltrail.json to declare the jobs');
  });

  after(async () => {
    fs.writeFileSync(configFile, originalConfig);
    await vscode.workspace.getConfiguration('mltrail.kubernetes').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    const storeDir = path.join(workspacePath(), '.mltrail');
    for (const runId of launchedRuns) fs.rmSync(path.join(storeDir, 'runs', runId), { recursive: true, force: true });
    await eventually(async () => !(await api.listRuns()).some((candidate) => launchedRuns.includes(candidate.id)), 'the suite\'s runs to leave the store');
  });

  describe('on this machine', () => {
    it('cancels a running job: its row and its run end killed', async () => {
      const sleeper = launchedRuns[0]!;
      await eventually(() => row(sleeper)?.state === 'running', 'the sleeper to run');
      assert.equal(row(sleeper)?.backend, 'local');
      const cancelled = await vscode.commands.executeCommand<boolean>('mltrail.cancelJob', { folder, runId: sleeper });
      assert.equal(cancelled, true);
      await eventually(() => row(sleeper)?.state === 'killed', 'the row to show killed');
      assert.equal(row(sleeper)?.group, 'finished');
      assert.equal((await run(sleeper))?.status, 'killed');
    });

    it('launches a declared job: running then finished in the Jobs view, metrics in the store, output in its channel', async () => {
      let runId: string | undefined;
      const recorded = recordStates(api);
      try {
        const result = await launch('print-metrics', 'local');
        assert.equal(result.backend, 'local');
        assert.equal(result.runIds.length, 1);
        runId = result.runIds[0]!;
        await eventually(() => row(runId!)?.state === 'running', 'the run to show running');
        assert.equal(row(runId)?.group, 'running');
        await vscode.commands.executeCommand('mltrail.showJobLogs', { folder, runId });
        // The view is told of store changes at most every 500 ms: wait for what it is told, not for the rows.
        await eventually(() => recorded.of(runId!).at(-1) === 'finished', 'the view to be told the run finished');
        assertInOrder(recorded.of(runId), ['running', 'finished']);
      } finally {
        recorded.dispose();
      }
      const finished = await eventually(async () => (await run(runId))?.metrics.loss?.count === 10 && run(runId), 'all ten loss points');
      assert.equal(finished?.metrics.loss?.last, 0.05);
      assert.deepEqual(finished?.params, { lr: 0.5 });
      assert.equal(finished?.tags.job, 'print-metrics');
      const text = await eventually(() => api.jobLogText(folder, runId!)?.includes('plain line 9') && api.jobLogText(folder, runId!), 'the output channel to hold the whole log');
      assert.equal(text.match(/plain line \d/g)?.length, 10, 'each line once');
      assert.match(text, /"mltrail":"metric","name":"loss","step":0/);
    });
  });

  describe('ad-hoc scripts and runs named by their id', () => {
    const script = 'adhoc-train.sh';
    after(() => fs.rmSync(path.join(workspacePath(), script), { force: true }));

    it('runs a script no job declares, tags its runs with the script, and re-runs it as a script', async () => {
      fs.writeFileSync(path.join(workspacePath(), script), 'echo \'{"mltrail":"metric","name":"acc","step":0,"value":0.5}\'\n');
      const first = await vscode.commands.executeCommand<JobLaunchResult | undefined>('mltrail.launchJob', { folder, script, backend: 'local' });
      assert.ok(first, 'launching the script returned nothing');
      launchedRuns.push(...first.runIds);
      const [runId] = first.runIds as [string];
      const ended = await eventually(async () => (await run(runId))?.status === 'finished' && run(runId), 'the script run to finish');
      assert.deepEqual(ended?.tags, { job: 'adhoc-train', script });
      await eventually(() => row(runId)?.state === 'finished', 'its row to show finished');
      assert.equal(row(runId)?.script, script);
      const again = await vscode.commands.executeCommand<JobLaunchResult | undefined>('mltrail.rerunJob', { folder, runId });
      assert.ok(again, 're-running the script run returned nothing');
      launchedRuns.push(...again.runIds);
      assert.notEqual(again.runIds[0], runId);
      await eventually(async () => (await run(again.runIds[0]!))?.tags.script === script, 'the re-run, tagged with the script');
    });

    it('says a run named by an id it does not know is not found, instead of asking for another', async () => {
      // A picker would wait for an answer that never comes: each command must end on its own.
      assert.equal(await vscode.commands.executeCommand('mltrail.showJobLogs', { folder, runId: 'no-such-run' }), undefined);
      assert.equal(await vscode.commands.executeCommand('mltrail.cancelJob', { folder, runId: 'no-such-run' }), false);
    });
  });

  describe('on Kubernetes', () => {
    let server: FakeApiServer;

    before(async () => {
      server = await startFakeApiServer({ controller: { chooseScript: ({ job }) => POD_SCRIPTS[job.metadata.labels?.[JOB_NAME_LABEL] ?? ''] } });
      await vscode.workspace.getConfiguration('mltrail.kubernetes').update('kubeconfig', server.kubeconfigPath, vscode.ConfigurationTarget.Global);
      server.controller.autoAdvance(400);
    });
    after(() => server.stop());

    it('launches a job: queued, running and finished reach the Jobs view, the pod log its channel and its metric the store', async () => {
      let runId: string | undefined;
      const recorded = recordStates(api);
      try {
        const result = await launch('k8s-train', 'kubernetes');
        assert.deepEqual([result.backend, result.context, result.runIds.length], ['kubernetes', 'fake', 1]);
        runId = result.runIds[0]!;
        assert.equal(recorded.of(runId)[0], 'queued', 'queued as soon as the Job is created');
        await vscode.commands.executeCommand('mltrail.showJobLogs', { folder, runId });
        await eventually(() => recorded.of(runId!).at(-1) === 'finished', 'the view to be told the run finished');
        assertInOrder(recorded.of(runId), ['queued', 'running', 'finished']);
      } finally {
        recorded.dispose();
      }
      assert.deepEqual([row(runId)?.context, row(runId)?.gpus], ['fake', 1]);
      const text = await eventually(() => api.jobLogText(folder, runId!)?.includes('epoch 2 done') && api.jobLogText(folder, runId!), 'the pod log in the channel');
      assert.equal(text.match(/epoch \d done/g)?.length, 2, 'each line once');
      const finished = await eventually(async () => (await run(runId!))?.status === 'finished' && run(runId!), 'the end record');
      assert.equal(finished?.metrics.loss?.last, 0.25);
    });

    it('cancels a running job: the row ends killed and no pod is left', async () => {
      const [runId] = (await launch('k8s-long', 'kubernetes')).runIds as [string];
      await eventually(() => row(runId)?.state === 'running', 'the run to show running');
      const launchId = row(runId)?.placement?.launchId;
      assert.ok(launchId);
      const pods = () => server.store.list('pods').filter((pod) => pod.metadata.labels?.[LAUNCH_ID_LABEL] === launchId);
      assert.equal(pods().length, 1);
      const cancelled = await vscode.commands.executeCommand<boolean>('mltrail.cancelJob', { folder, runId });
      assert.equal(cancelled, true);
      await eventually(() => row(runId)?.state === 'killed', 'the row to show killed');
      await eventually(() => pods().length === 0, 'the pods to be deleted');
      // The row shows the tracker's phase at once; the store indexes the end record a moment later.
      await eventually(async () => (await run(runId))?.status === 'killed', 'the run to end killed in the store');
    });
  });
});
