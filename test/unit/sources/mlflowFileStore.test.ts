import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../../src/runs/runSummary.ts';
import type { SourceLocation } from '../../../src/sources/externalSource.ts';
import { MlflowFileStore } from '../../../src/sources/mlflowFileStore.ts';
import { GENERATED_EXPERIMENTS, generateMlflowRuns, writeFileStoreExperiment, writeFileStoreRun } from '../../fixtures/sources/mlflowWriters.ts';
import { tempDir } from '../../support/tempStore.ts';

const workerScript = new URL('../../../src/sources/sourcesWorker.ts', import.meta.url);
const fixture = path.resolve(import.meta.dirname, '../../fixtures/sources/mlruns');

const RUN_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const EXPERIMENT = '412345678901234567';

/** A copy of the fixture store, so tests can change it. */
function copyFixture(): string {
  const root = path.join(tempDir(), 'mlruns');
  fs.cpSync(fixture, root, { recursive: true });
  return root;
}

function location(root: string): SourceLocation {
  return { kind: 'mlflow', path: root, origin: 'detected' };
}

async function loadRuns(root: string) {
  const snapshot = await new MlflowFileStore(location(root)).load();
  const byId = new Map(snapshot.runs.map((run) => [run.id, run]));
  return { ...snapshot, byId };
}

function runA(byId: Map<string, RunSummary>): RunSummary {
  const run = byId.get(`mlflow:${RUN_A}`);
  assert.ok(run, 'run A is listed');
  return run;
}

describe('MLflow file store', () => {
  it('lists the active runs of active experiments, and nothing of .trash, models or deleted ones', async () => {
    const { runs } = await loadRuns(copyFixture());
    assert.deepEqual(runs.map((run) => run.id).sort(), [`mlflow:${RUN_A}`, 'mlflow:c0ffee00c0ffee00c0ffee00c0ffee00', 'mlflow:d15ea5ed00000000000000000000beef']);
    assert.ok(runs.every((run) => run.source === 'mlflow'));
  });

  it('reads a run: experiment name, run name, status, times, params (nested keys), tags, git commit', async () => {
    const run = runA((await loadRuns(copyFixture())).byId);
    assert.equal(run.experiment, 'image classification');
    assert.equal(run.name, 'bold-fox-42');
    assert.equal(run.status, 'finished');
    assert.equal(run.startTime, 1700000000000);
    assert.equal(run.endTime, 1700000360000);
    assert.deepEqual(Object.entries(run.params), [['__proto__', 'not a prototype'], ['epochs', '10'], ['lr', '0.01'], ['optimizer/name', 'adam']]);
    assert.equal(Object.getPrototypeOf(run.params), Object.prototype, '__proto__ is a plain key, not the prototype');
    assert.ok(Object.hasOwn(run.params, '__proto__'));
    assert.equal(run.tags['team/owner'], 'vision');
    assert.equal(run.tags['mlflow.user'], 'alice');
    assert.deepEqual(run.git, { commit: '3f2a9c1e5b7d4f60a8e2c9b1d3f5a7c9e1b3d5f7' });
  });

  it('summarizes metrics as MLflow does: per step the greatest (timestamp, value), NaN and infinities kept', async () => {
    const { metrics } = runA((await loadRuns(copyFixture())).byId);
    assert.deepEqual(Object.keys(metrics), ['accuracy', 'grad_norm', 'loss', 'lr', 'nan_metric', 'val/acc']);
    // step 1 was logged twice: 2.0 at an earlier timestamp loses to 0.7, so it is no maximum
    assert.deepEqual(metrics.loss, { last: 0.5, step: 3, min: 0.5, max: 0.9, count: 4, lastTime: 1700000004000 });
    assert.deepEqual(metrics['val/acc'], { last: 0.8125, step: 2, min: 0.5, max: 0.8125, count: 3, lastTime: 1700000003000 });
    assert.deepEqual(metrics.lr, { last: 5e-6, step: 1, min: 5e-6, max: 1e-5, count: 2, lastTime: 1700000002000 });
    assert.deepEqual(metrics.grad_norm, { last: 3.5, step: 2, min: -Infinity, max: Infinity, count: 3, lastTime: 1700000003000 });
    const nan = metrics.nan_metric;
    assert.ok(nan && Number.isNaN(nan.last) && Number.isNaN(nan.min) && Number.isNaN(nan.max));
    assert.equal(nan.count, 2);
  });

  it('skips malformed lines with a problem at their line, and leaves out empty metric files', async () => {
    const root = copyFixture();
    const { byId, problems } = await loadRuns(root);
    const run = runA(byId);
    assert.deepEqual(run.metrics.accuracy, { last: 0.4, step: 3, min: 0.1, max: 0.4, count: 2, lastTime: 1700000004000 });
    assert.equal(run.metrics.empty, undefined);
    const accuracyFile = path.join(root, EXPERIMENT, RUN_A, 'metrics', 'accuracy');
    assert.deepEqual(
      problems.filter((problem) => problem.path === accuracyFile).map((problem) => [problem.line, problem.message]),
      [
        [2, 'the timestamp is not an integer (line skipped)'],
        [3, 'the value is not a number (line skipped)'],
        [4, 'expected "<timestamp> <value> [<step>]", found more fields (line skipped)'],
      ],
    );
    assert.equal(problems.length, 3, JSON.stringify(problems));
  });

  it('reads runs MLflow wrote before run_name (name from the mlflow.runName tag), two-field lines at step 0, RUNNING and KILLED', async () => {
    const { byId } = await loadRuns(copyFixture());
    const legacy = byId.get('mlflow:c0ffee00c0ffee00c0ffee00c0ffee00');
    assert.equal(legacy?.name, 'legacy-run');
    assert.equal(legacy?.status, 'running');
    assert.equal(legacy?.endTime, undefined);
    // two lines at step 0: the later timestamp wins
    assert.deepEqual(legacy?.metrics.loss, { last: 0.125, step: 0, min: 0.125, max: 0.125, count: 1, lastTime: 1700000702000 });
    const killed = byId.get('mlflow:d15ea5ed00000000000000000000beef');
    assert.equal(killed?.status, 'killed');
    assert.equal(killed?.name, '1234');
    assert.equal(killed?.experiment, 'Default');
    assert.deepEqual({ ...killed?.params }, { 'batch size': '32' });
  });

  it('tolerates CRLF line ends and a last line without a newline', async () => {
    const root = copyFixture();
    const file = path.join(root, EXPERIMENT, RUN_A, 'metrics', 'loss');
    fs.writeFileSync(file, '1700000001000 0.9 0\r\n1700000002000 0.7 1\r\n1700000003000 -1.5e+20 2');
    fs.writeFileSync(path.join(root, EXPERIMENT, RUN_A, 'meta.yaml'), fs.readFileSync(path.join(root, EXPERIMENT, RUN_A, 'meta.yaml'), 'utf8').replace(/\n/g, '\r\n'));
    const { byId, problems } = await loadRuns(root);
    const run = runA(byId);
    assert.deepEqual(run.metrics.loss, { last: -1.5e20, step: 2, min: -1.5e20, max: 0.9, count: 3, lastTime: 1700000003000 });
    assert.equal(run.name, 'bold-fox-42');
    assert.equal(run.status, 'finished');
    assert.deepEqual(problems.filter((problem) => problem.path === file), []);
  });

  it('reports a broken meta.yaml and a run folder without one, and still loads the rest', async () => {
    const root = copyFixture();
    fs.writeFileSync(path.join(root, EXPERIMENT, 'c0ffee00c0ffee00c0ffee00c0ffee00', 'meta.yaml'), '- not\n- a mapping\n');
    fs.mkdirSync(path.join(root, EXPERIMENT, 'notarun'));
    fs.appendFileSync(path.join(root, EXPERIMENT, RUN_A, 'metrics', 'val', 'acc'), 'x\n'.repeat(25));
    const { runs, problems } = await loadRuns(root);
    assert.equal(runs.length, 2);
    const accFile = path.join(root, EXPERIMENT, RUN_A, 'metrics', 'val', 'acc');
    const accProblems = problems.filter((problem) => problem.path === accFile);
    assert.deepEqual(accProblems.map((problem) => problem.line), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, undefined], 'ten lines, then a count');
    assert.match(accProblems.at(-1)?.message ?? '', /^15 more lines/);
    assert.ok(problems.some((problem) => problem.path.endsWith(path.join('c0ffee00c0ffee00c0ffee00c0ffee00', 'meta.yaml')) && /mapping/.test(problem.message)));
    assert.ok(problems.some((problem) => problem.path === path.join(root, EXPERIMENT, 'notarun') && /no meta\.yaml/.test(problem.message)));
  });

  it('reports a store that does not exist', async () => {
    const { runs, problems } = await loadRuns(path.join(tempDir(), 'mlruns'));
    assert.deepEqual(runs, []);
    assert.match(problems[0]?.message ?? '', /does not exist/);
  });

  it('reads one metric as a series sorted by step, one point per step, with times', async () => {
    const root = copyFixture();
    const store = new MlflowFileStore(location(root));
    const series = await store.readSeries(`mlflow:${RUN_A}`, 'loss');
    assert.deepEqual(Array.from(series?.steps ?? []), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(series?.values ?? []), [0.9, 0.7, 0.55, 0.5]);
    assert.deepEqual(Array.from(series?.times ?? []), [1700000001000, 1700000002000, 1700000003500, 1700000004000]);
    const nested = await store.readSeries(`mlflow:${RUN_A}`, 'val/acc');
    assert.deepEqual(Array.from(nested?.values ?? []), [0.5, 0.75, 0.8125]);
    assert.equal(await store.readSeries(`mlflow:${RUN_A}`, 'missing'), undefined);
    assert.equal(await store.readSeries(`mlflow:${RUN_A}`, '../../meta.yaml'), undefined);
    assert.equal(await store.readSeries('mlflow:ffffffffffffffffffffffffffffffff', 'loss'), undefined);
    assert.equal(await store.readSeries('dvclive:dvclive', 'loss'), undefined);
  });

  it('reads many runs in worker threads with the same result as on this thread', async () => {
    const root = path.join(tempDir(), 'mlruns');
    for (const experiment of GENERATED_EXPERIMENTS) writeFileStoreExperiment(root, experiment);
    for (const run of generateMlflowRuns({ runs: 120, metrics: 3, steps: 50, seed: 5 })) writeFileStoreRun(root, run);
    const inline = await new MlflowFileStore(location(root)).load();
    const threaded = await new MlflowFileStore(location(root), { workerScript, maxWorkers: 2 }).load();
    assert.equal(threaded.runs.length, 120);
    assert.deepEqual(threaded, inline);
    const run = threaded.runs.find((candidate) => candidate.name === 'run-7');
    assert.equal(run?.experiment, 'resnet');
    assert.equal(run?.metrics['val/loss']?.count, 50);
    assert.equal(run?.metrics['val/loss']?.step, 49);
  });
});
