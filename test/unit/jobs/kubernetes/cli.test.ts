import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliIo } from '../../../../src/cli/cliIo.ts';
import { cancelCommand, logsCommand, runCommand } from '../../../../src/cli/jobsCommand.ts';
import { type FakeApiServer, startFakeApiServer } from '../../../k8s/fakeApiServer.ts';
import type { PodStep } from '../../../k8s/podScripts.ts';
import { tempDir } from '../../../support/tempStore.ts';
import { waitFor } from './kubernetesLaunch.ts';

const metricLine = (step: number, value: number) => JSON.stringify({ mltrail: 'metric', name: 'loss', step, value });

/** What a pod does, by the `script` env var the job sets: train prints metrics and succeeds; crash exits 3; hold waits. */
function podScript(env: string | undefined, index: number): PodStep[] {
  if (env === 'mixed') return podScript(index === 0 ? 'train' : 'hold', index);
  if (env === 'crash') return [{ kind: 'running', logs: ['starting'] }, { kind: 'failed', exitCode: 3 }];
  if (env === 'hold') return [{ kind: 'running', logs: ['holding'] }];
  return [{ kind: 'running', logs: ['epoch 1', metricLine(0, 0.9)] }, { kind: 'log', lines: [metricLine(1, 0.4)] }, { kind: 'succeeded' }];
}

function io(cwd: string) {
  const captured = { out: '', err: '' };
  const cliIo: CliIo = { cwd, out: (text) => (captured.out += text), err: (text) => (captured.err += text) };
  return { cliIo, captured };
}

describe('mltrail run --backend kubernetes, logs and cancel against a cluster', () => {
  let server: FakeApiServer;
  const folder = tempDir();
  const saved = process.env.KUBECONFIG;

  before(async () => {
    server = await startFakeApiServer({
      bookmarkIntervalMs: 200,
      controller: {
        chooseScript: ({ job, index }) => {
          const env = (job.spec as { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } }).template.spec.containers[0]?.env;
          return podScript(env?.find((variable) => variable.name === 'MODE')?.value, index);
        },
      },
    });
    server.controller.autoAdvance(30);
    process.env.KUBECONFIG = server.kubeconfigPath;
    const kubernetes = { image: 'python:3.12-slim' };
    fs.writeFileSync(
      path.join(folder, 'mltrail.json'),
      JSON.stringify({
        version: 1,
        jobs: {
          train: { command: ['python', 'train.py', '--lr', '{lr}'], params: { lr: 0.1 }, env: { MODE: 'train' }, kubernetes },
          sweep: { command: ['python', 'train.py', '--lr', '{lr}'], params: { lr: 0.1 }, sweep: { lr: [0.1, 0.01] }, env: { MODE: 'train' }, kubernetes },
          crash: { command: ['python', 'train.py'], env: { MODE: 'crash' }, kubernetes },
          hold: { command: ['python', 'train.py'], env: { MODE: 'hold' }, kubernetes },
          mixed: { command: ['python', 'train.py', '--lr', '{lr}'], params: { lr: 0.1 }, sweep: { lr: [0.1, 0.01] }, env: { MODE: 'mixed' }, kubernetes },
        },
      }),
    );
  });

  after(async () => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    await server.stop();
  });

  it('submits, follows the pod log to stdout, records its metrics and exits 0', async () => {
    const run = io(folder);
    assert.equal(await runCommand(['train', '--backend', 'kubernetes', '--json'], run.cliIo), 0);
    const [result] = JSON.parse(run.captured.out) as Array<{ id: string; status: string; exitCode: number }>;
    assert.deepEqual([result?.status, result?.exitCode], ['finished', 0]);
    const dir = path.join(folder, '.mltrail', 'runs', result!.id);
    const points = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: number; value: number });
    assert.deepEqual(points.map((point) => [point.step, point.value]), [[0, 0.9], [1, 0.4]]);
    const logs = io(folder);
    assert.equal(await logsCommand([result!.id], logs.cliIo), 0);
    assert.match(logs.captured.out, /^epoch 1\n/);
  });

  it('runs a sweep as one Indexed Job, prefixing each run\'s lines with its index', async () => {
    const run = io(folder);
    assert.equal(await runCommand(['sweep', '--backend', 'kubernetes'], run.cliIo), 0);
    assert.match(run.captured.out, /^\[0\] epoch 1$/m);
    assert.match(run.captured.out, /^\[1\] epoch 1$/m);
    assert.match(run.captured.err, /submitted Job default\/mltrail-sweep-\S+ on context \S+ \(2 runs/);
    const jobs = server.store.list('jobs', 'default').filter((job) => job.metadata.labels?.['mltrail/job'] === 'sweep');
    assert.equal(jobs.length, 1);
    assert.equal((jobs[0]?.spec as { completionMode?: string }).completionMode, 'Indexed');
  });

  it('exits with the container\'s exit code when the pod fails', async () => {
    const run = io(folder);
    assert.equal(await runCommand(['crash', '--backend', 'kubernetes'], run.cliIo), 3);
    assert.match(run.captured.err, /failed \(exit code 3\)/);
  });

  it('detaches, follows a detached run with logs --follow, and cancels it leaving no pods', async () => {
    const run = io(folder);
    assert.equal(await runCommand(['hold', '--backend', 'kubernetes', '--detach', '--json'], run.cliIo), 0);
    const [started] = JSON.parse(run.captured.out) as Array<{ id: string }>;
    const id = started!.id;
    const follow = io(folder);
    const following = logsCommand([id, '--follow'], follow.cliIo);
    await waitFor(() => follow.captured.out.includes('holding'), 'the followed log');
    const cancel = io(folder);
    assert.equal(await cancelCommand([id], cancel.cliIo), 0);
    assert.match(cancel.captured.out, /Deleted Job default\/mltrail-hold-/);
    await following;
    await waitFor(() => server.store.list('pods', 'default').filter((pod) => pod.metadata.labels?.['mltrail/job'] === 'hold').length === 0, 'the pods to be gone');
    const runFile = fs.readFileSync(path.join(folder, '.mltrail', 'runs', id, 'run.jsonl'), 'utf8');
    assert.equal(runFile.match(/"type":"end"/g)?.length, 1);
    assert.match(runFile, /"status":"killed"/);
  });

  it('follows one point of a sweep until that point ends, and refuses to cancel a run that ended', async () => {
    const run = io(folder);
    assert.equal(await runCommand(['mixed', '--backend', 'kubernetes', '--detach', '--json'], run.cliIo), 0);
    const [first, second] = (JSON.parse(run.captured.out) as Array<{ id: string }>).map((started) => started.id);
    const follow = io(folder);
    assert.equal(await logsCommand([first!, '--follow'], follow.cliIo), 0, 'returns while the other point still runs');
    assert.match(follow.captured.out, /epoch 1\n/);
    await assert.rejects(cancelCommand([first!], io(folder).cliIo), /is not running \(finished\)/);
    assert.equal(await cancelCommand([second!], io(folder).cliIo), 0);
    await waitFor(() => server.store.list('pods', 'default').filter((pod) => pod.metadata.labels?.['mltrail/job'] === 'mixed').length === 0, 'the pods to be gone');
  });

  it('says which contexts exist when asked for another', async () => {
    await assert.rejects(runCommand(['train', '--backend', 'kubernetes', '--context', 'nowhere'], io(folder).cliIo), /nowhere/);
  });
});
