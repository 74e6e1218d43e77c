import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appendDatasetRecord, datasetRecordsFile } from '../../../src/datasets/datasetRecords.ts';
import { readJobState } from '../../../src/jobs/jobFiles.ts';
import type { JobDefinition } from '../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../src/jobs/jobParams.ts';
import { type LocalRunOptions, startLocalRun } from '../../../src/jobs/localRunner.ts';
import { isGroupAlive } from '../../../src/jobs/processGroup.ts';
import { readRecordedRun } from '../../../src/jobs/recordedRun.ts';
import { readModel } from '../../../src/models/modelStore.ts';
import { isProcessAlive } from '../../../src/platform/processLiveness.ts';
import { tempDir } from '../../support/tempStore.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/jobs');
const fakeNvidiaSmi = path.join(fixtures, 'fake-nvidia-smi.sh');
const noNvidiaSmi = '/nonexistent/nvidia-smi';

function workspace() {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, models: { classifier: { path: 'out/model.bin', metric: 'loss', goal: 'min' } } }));
  const storeDir = path.join(folder, '.mltrail');
  appendDatasetRecord(datasetRecordsFile(storeDir, 'train'), { version: 1, hash: 'xxh64:1' });
  appendDatasetRecord(datasetRecordsFile(storeDir, 'train'), { version: 3, hash: 'xxh64:3' });
  return { folder, storeDir };
}

function job(command: string[], extra: Partial<JobDefinition> = {}): JobDefinition {
  return { name: 'test-job', command, params: { lr: 0.1 }, sweep: {}, env: {}, inputs: [], ...extra };
}

async function start(ws: { folder: string; storeDir: string }, definition: JobDefinition, options: Partial<LocalRunOptions> = {}) {
  const [plan] = planJobRuns(definition);
  return startLocalRun({ ...ws, job: definition, plan: plan!, nvidiaSmi: noNvidiaSmi, logPollMs: 20, ...options });
}

function jsonLines(file: string): Array<Record<string, unknown>> {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) : [];
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const logOf = (dir: string) => (fs.existsSync(path.join(dir, 'logs.txt')) ? fs.readFileSync(path.join(dir, 'logs.txt'), 'utf8') : '');

describe('local runner', () => {
  it('records a finished job: start with the job pid, params, inputs, protocol records, logs, end and its model', async () => {
    const ws = workspace();
    const definition = job([process.execPath, path.join(fixtures, 'protocol.mjs'), '0'], { env: { CUSTOM: 'yes' }, inputs: ['train', 'unrecorded'], experiment: 'exp' });
    const run = await start(ws, definition);
    const outcome = await run.finished;
    assert.equal(outcome.status, 'finished');
    assert.equal(outcome.exitCode, 0);

    const records = jsonLines(path.join(run.dir, 'run.jsonl'));
    const startRecord = records[0]!;
    assert.equal(startRecord.type, 'start');
    assert.equal(startRecord.pid, run.pid);
    assert.notEqual(run.pid, process.pid);
    assert.equal(startRecord.host, os.hostname());
    assert.equal(startRecord.experiment, 'exp');
    assert.deepEqual(startRecord.command, definition.command);
    assert.equal(startRecord.gpus, undefined);
    assert.deepEqual(records.filter((record) => record.type === 'input'), [
      { type: 'input', dataset: 'train', version: 3 },
      { type: 'input', dataset: 'unrecorded' },
      { type: 'input', dataset: 'extra', version: 2 },
    ]);
    assert.deepEqual(records.at(-1), { type: 'end', time: records.at(-1)!.time, status: 'finished', exitCode: 0 });

    const summary = readRecordedRun(ws.storeDir, run.id)!;
    assert.deepEqual(summary.params, { lr: 0.1, seen: { lr: 0.1 } });
    assert.deepEqual(summary.tags, { job: 'test-job', runId: run.id, runDir: run.dir, unbuffered: '1', custom: 'yes' });
    assert.deepEqual(Object.keys(summary.metrics), ['loss', 'odd']);
    assert.equal(summary.metrics.loss?.count, 3);

    const log = logOf(run.dir);
    assert.match(log, /plain log line\n/);
    assert.match(log, /a line on stderr\n/);
    assert.match(fs.readFileSync(path.join(run.dir, 'job-problems.txt'), 'utf8'), /logs\.txt:\d+: not valid JSON/);

    assert.deepEqual(outcome.registeredModels.map((version) => [version.version, version.run, version.path]), [[1, run.id, 'out/model.bin']]);
    const model = readModel(ws.storeDir, 'classifier');
    assert.equal(model.versions[0]?.metrics.loss, 1 / 3);
    assert.deepEqual(readJobState(run.dir).pendingModels, []);
    assert.equal(readJobState(run.dir).runner, undefined);
  });

  it('ends failed with the exit code, and registers no model from a failed run', async () => {
    const ws = workspace();
    const run = await start(ws, job([process.execPath, path.join(fixtures, 'protocol.mjs'), '3']));
    const outcome = await run.finished;
    assert.deepEqual([outcome.status, outcome.exitCode, outcome.registeredModels], ['failed', 3, []]);
    assert.equal(readRecordedRun(ws.storeDir, run.id)?.status, 'failed');
    assert.match(fs.readFileSync(path.join(run.dir, 'job-problems.txt'), 'utf8'), /model "classifier" not registered: the run ended failed/);
  });

  it('ends failed with 127 when the command cannot start', async () => {
    const ws = workspace();
    const run = await start(ws, job(['/nonexistent/program']));
    const outcome = await run.finished;
    assert.deepEqual([outcome.status, outcome.exitCode], ['failed', 127]);
    assert.match(logOf(run.dir), /cannot start "\/nonexistent\/program"/);
  });

  it('cancels the whole process group, a grandchild included, and ends killed', async () => {
    const ws = workspace();
    const run = await start(ws, job([process.execPath, path.join(fixtures, 'sleeper.mjs')]), { cancelGraceMs: 5_000 });
    await waitFor(() => logOf(run.dir).includes('ready'), 'the job to start');
    const grandchild = Number(fs.readFileSync(path.join(ws.folder, 'grandchild.pid'), 'utf8'));
    assert.ok(isProcessAlive(grandchild));
    run.cancel();
    const outcome = await run.finished;
    assert.equal(outcome.status, 'killed');
    assert.equal(outcome.exitCode, 128 + os.constants.signals.SIGTERM);
    assert.equal(isGroupAlive(run.pid!), false);
    await waitFor(() => !isProcessAlive(grandchild), 'the grandchild to be gone', 2_000);
  });

  it('kills a job that ignores SIGTERM after the grace period', async () => {
    const ws = workspace();
    const run = await start(ws, job([process.execPath, path.join(fixtures, 'sleeper.mjs'), 'ignore-term']), { cancelGraceMs: 300 });
    await waitFor(() => logOf(run.dir).includes('ready'), 'the job to start');
    const began = Date.now();
    run.cancel();
    const outcome = await run.finished;
    assert.ok(Date.now() - began >= 300);
    assert.deepEqual([outcome.status, outcome.exitCode], ['killed', 128 + os.constants.signals.SIGKILL]);
    assert.equal(isGroupAlive(run.pid!), false);
  });

  it('records the GPUs nvidia-smi lists and samples their utilization and memory', async () => {
    const ws = workspace();
    const script = 'setTimeout(() => {}, 400)';
    const run = await start(ws, job([process.execPath, '-e', script]), { nvidiaSmi: fakeNvidiaSmi, gpuSampleIntervalMs: 100 });
    await run.finished;
    const startRecord = jsonLines(path.join(run.dir, 'run.jsonl'))[0]!;
    assert.deepEqual(startRecord.gpus, [
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotal: '81559 MiB' },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', memoryTotal: '81559 MiB' },
    ]);
    const points = jsonLines(path.join(run.dir, 'metrics.jsonl'));
    assert.deepEqual([...new Set(points.map((point) => point.name))], ['system/gpu0/util', 'system/gpu0/mem']);
    assert.ok(points.length >= 4, `${points.length} points`);
    assert.deepEqual(points.slice(0, 2).map((point) => [point.step, point.value]), [[0, 45], [0, 1024]]);
    assert.deepEqual(points.slice(2, 4).map((point) => point.step), [1, 1]);
  });

  it('leaves the run lost when the runner dies and then the job ends', async () => {
    const ws = workspace();
    const runner = spawn(process.execPath, [path.join(fixtures, 'detachedRunner.ts'), ws.folder, ws.storeDir, path.join(fixtures, 'sleeper.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve) => runner.stdout.once('data', (data: Buffer) => resolve(data.toString())));
    const { id, pid } = JSON.parse(first) as { id: string; pid: number };
    runner.kill('SIGKILL');
    await new Promise((resolve) => runner.once('exit', resolve));
    assert.equal(readRecordedRun(ws.storeDir, id)?.status, 'running');
    process.kill(-pid, 'SIGKILL');
    await waitFor(() => !isGroupAlive(pid), 'the job to be gone');
    await waitFor(() => readRecordedRun(ws.storeDir, id)?.status === 'lost', 'the run to be lost', 2_000);
  });
});

const hasPython = ['/usr/bin/python3', ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'python3'))].some((file) => fs.existsSync(file));

describe('examples/mltrail_log.py', { skip: hasPython ? false : 'python3 is not on PATH' }, () => {
  it('prints protocol lines the runner applies, NaN and infinities as the store writes them', async () => {
    const ws = workspace();
    const helperDir = path.resolve(import.meta.dirname, '../../../examples');
    const script = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(helperDir)})`,
      'from mltrail_log import log_metric, log_params, log_tags, log_input, log_model',
      'log_params(lr=0.5, layers=[1, 2])',
      'log_tags(team="vision")',
      'log_metric("loss", 0.25, step=0)',
      'log_metric("loss", float("nan"), step=1)',
      'log_metric("gain", float("inf"))',
      'log_input("train")',
      'print("done")',
    ].join('\n');
    const run = await start(ws, job(['python3', '-c', script]));
    assert.equal((await run.finished).status, 'finished', logOf(run.dir));
    const summary = readRecordedRun(ws.storeDir, run.id)!;
    assert.deepEqual(summary.params, { lr: 0.5, layers: [1, 2] });
    assert.equal(summary.tags.team, 'vision');
    assert.ok(Number.isNaN(summary.metrics.loss?.last));
    assert.equal(summary.metrics.gain?.last, Infinity);
    assert.deepEqual(summary.inputs, [{ dataset: 'train', version: 3 }]);
    assert.match(logOf(run.dir), /done\n/);
  });
});
