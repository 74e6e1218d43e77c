import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyArtifacts } from '../../../src/models/artifactCheck.ts';
import type { ModelConfig } from '../../../src/models/modelConfig.ts';
import { modelFile, readModel } from '../../../src/models/modelStore.ts';
import { promoteModelVersion, registerModelVersion, rollbackModel, setModelAlias } from '../../../src/models/registry.ts';
import { readSourceRun } from '../../../src/models/sourceRun.ts';
import { CLASSIFIER, type TestWorkspace, testWorkspace, writeArtifact, writeRun } from './workspace.ts';

before(() => {
  process.env.MLTRAIL_USER = 'tester';
});

async function register(workspace: TestWorkspace, runId: string, accuracy: number, model: ModelConfig = CLASSIFIER) {
  writeRun(workspace.storeDir, runId, { 'val/acc': accuracy });
  return registerModelVersion({ ...workspace, model, run: readSourceRun(workspace.storeDir, runId).run });
}

function recordsOf(workspace: TestWorkspace, name = 'classifier'): Array<Record<string, unknown>> {
  return fs.readFileSync(modelFile(workspace.storeDir, name), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const promote = (workspace: TestWorkspace, version: number, stage: 'staging' | 'production' | 'archived', extra: { force?: boolean; reason?: string; model?: ModelConfig } = {}) =>
  promoteModelVersion({ storeDir: workspace.storeDir, model: extra.model ?? CLASSIFIER, version, stage, ...extra });

describe('registerModelVersion', () => {
  it('records the artifact hash and the run metrics, inputs and git commit, copying nothing', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.9, 'val/loss': 0.3 }, [{ type: 'input', dataset: 'images', version: 2 }, { type: 'input', dataset: 'labels' }]);
    const { run } = readSourceRun(workspace.storeDir, 'r1');
    const registered = await registerModelVersion({ ...workspace, model: CLASSIFIER, run });
    assert.equal(registered.version, 1);
    const [record] = recordsOf(workspace);
    assert.deepEqual({ ...record, time: undefined }, {
      type: 'version',
      version: 1,
      run: 'r1',
      path: 'out/model.pt',
      hash: registered.hash,
      size: 'weights v1'.length,
      metrics: { 'val/acc': 0.9, 'val/loss': 0.3 },
      datasets: [{ dataset: 'images', version: 2 }, { dataset: 'labels' }],
      git: { commit: 'abc1234', branch: 'main', dirty: false },
      time: undefined,
      user: 'tester',
    });
    assert.match(registered.hash, /^xxh64:[0-9a-f]{16}$/);
    assert.ok(Math.abs(Date.parse(record!.time as string) - Date.now()) < 60_000);
    assert.deepEqual(fs.readdirSync(path.join(workspace.storeDir, 'models')).filter((file) => !file.endsWith('.lock')), ['classifier.jsonl']);
  });

  it('numbers versions 1..N and hashes what is at the path each time', async () => {
    const workspace = testWorkspace();
    const first = await register(workspace, 'r1', 0.8);
    writeArtifact(workspace.folder, 'out/model.pt', 'weights v2');
    const second = await register(workspace, 'r2', 0.85);
    assert.deepEqual([first.version, second.version], [1, 2]);
    assert.notEqual(first.hash, second.hash);
    assert.deepEqual(readModel(workspace.storeDir, 'classifier').versions.map((known) => known.run), ['r1', 'r2']);
  });

  it('registers a directory artifact, or another path, relative to the workspace folder', async () => {
    const workspace = testWorkspace();
    writeArtifact(workspace.folder, 'out/bert/config.json', '{}');
    writeArtifact(workspace.folder, 'out/bert/weights.bin', 'abc');
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.9 });
    const registered = await registerModelVersion({ ...workspace, model: CLASSIFIER, run: readSourceRun(workspace.storeDir, 'r1').run, artifactPath: 'out/bert' });
    assert.equal(registered.path, 'out/bert');
    assert.equal(registered.size, 5);
  });

  it('records nothing, with a clear message, when the artifact is missing or no path is known', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.9 });
    const { run } = readSourceRun(workspace.storeDir, 'r1');
    await assert.rejects(registerModelVersion({ ...workspace, model: CLASSIFIER, run, artifactPath: 'out/nope.pt' }), /out\/nope\.pt of model "classifier" does not exist; nothing was registered/);
    const { path: _path, ...withoutPath } = CLASSIFIER;
    await assert.rejects(registerModelVersion({ ...workspace, model: withoutPath, run }), /declares no "path"/);
    assert.equal(fs.existsSync(modelFile(workspace.storeDir, 'classifier')), false);
  });

  it('names a missing run clearly', () => {
    const workspace = testWorkspace();
    assert.throws(() => readSourceRun(workspace.storeDir, 'no-such-run'), /no run "no-such-run" in .*runs/);
  });

  it('never gives two versions the same number when processes register at once', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.9 });
    const registryUrl = new URL('../../../src/models/registry.ts', import.meta.url).href;
    const sourceRunUrl = new URL('../../../src/models/sourceRun.ts', import.meta.url).href;
    const script = `
      import { registerModelVersion } from ${JSON.stringify(registryUrl)};
      import { readSourceRun } from ${JSON.stringify(sourceRunUrl)};
      const [folder, storeDir, times] = process.argv.slice(1);
      const { run } = readSourceRun(storeDir, 'r1');
      const model = { name: 'classifier', path: 'out/model.pt', metric: 'val/acc', goal: 'max', minDelta: 0 };
      for (let i = 0; i < Number(times); i++) await registerModelVersion({ folder, storeDir, model, run });
    `;
    const processes = 6;
    const times = 8;
    await Promise.all(Array.from({ length: processes }, () => new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, workspace.folder, workspace.storeDir, String(times)], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`registering process exited with ${code}`))));
    })));
    const versions = recordsOf(workspace).map((record) => record.version);
    assert.deepEqual(versions, Array.from({ length: processes * times }, (_, index) => index + 1));
  });
});

describe('promoteModelVersion', () => {
  it('keeps one version in production: promoting one archives the one before, as its own record', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.8);
    await register(workspace, 'r2', 0.9);
    assert.equal((await promote(workspace, 1, 'production')).promoted, true);
    const second = await promote(workspace, 2, 'production');
    assert.deepEqual([second.promoted, second.forced, second.archived, second.from], [true, false, 1, 'none']);
    const state = readModel(workspace.storeDir, 'classifier');
    assert.equal(state.production, 2);
    assert.deepEqual(state.versions.map((known) => known.stage), ['archived', 'production']);
    const stages = recordsOf(workspace).filter((record) => record.type === 'stage').map(({ version, stage, reason, forced, replacedBy }) => ({ version, stage, reason, forced, replacedBy }));
    assert.deepEqual(stages, [
      { version: 1, stage: 'production', reason: undefined, forced: false, replacedBy: undefined },
      { version: 1, stage: 'archived', reason: 'replaced by version 2', forced: false, replacedBy: 2 },
      { version: 2, stage: 'production', reason: undefined, forced: false, replacedBy: undefined },
    ]);
    assert.equal(state.history.every((change) => change.user === 'tester'), true);
  });

  it('refuses a worse candidate, records nothing and names both values', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.9);
    await register(workspace, 'r2', 0.85);
    await promote(workspace, 1, 'production');
    const before = fs.readFileSync(modelFile(workspace.storeDir, 'classifier'), 'utf8');
    const refused = await promote(workspace, 2, 'production');
    assert.equal(refused.promoted, false);
    assert.match(refused.gate?.reason ?? '', /0\.85.*0\.9/);
    assert.equal(fs.readFileSync(modelFile(workspace.storeDir, 'classifier'), 'utf8'), before);
  });

  it('gates on the lower value for goal min, with minDelta', async () => {
    const workspace = testWorkspace();
    const ranker: ModelConfig = { name: 'ranker', path: 'out/model.pt', metric: 'val/loss', goal: 'min', minDelta: 0.1 };
    for (const [id, loss] of [['r1', 0.5], ['r2', 0.45], ['r3', 0.35]] as const) {
      writeRun(workspace.storeDir, id, { 'val/loss': loss });
      await registerModelVersion({ ...workspace, model: ranker, run: readSourceRun(workspace.storeDir, id).run });
    }
    await promote(workspace, 1, 'production', { model: ranker });
    assert.equal((await promote(workspace, 2, 'production', { model: ranker })).promoted, false, '0.05 lower is not enough');
    assert.equal((await promote(workspace, 3, 'production', { model: ranker })).promoted, true, '0.15 lower is');
  });

  it('refuses a candidate without the gating metric', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'train/acc': 0.99 });
    await registerModelVersion({ ...workspace, model: CLASSIFIER, run: readSourceRun(workspace.storeDir, 'r1').run });
    const refused = await promote(workspace, 1, 'production');
    assert.equal(refused.promoted, false);
    assert.match(refused.gate?.reason ?? '', /no value of "val\/acc"/);
  });

  it('lets force override the gate only with a reason, and records both', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.9);
    await register(workspace, 'r2', 0.5);
    await promote(workspace, 1, 'production');
    await assert.rejects(promote(workspace, 2, 'production', { force: true }), /needs a reason/);
    await assert.rejects(promote(workspace, 2, 'production', { force: true, reason: '  ' }), /needs a reason/);
    const forced = await promote(workspace, 2, 'production', { force: true, reason: 'hotfix for a data bug' });
    assert.deepEqual([forced.promoted, forced.forced, forced.gate?.allowed], [true, true, false]);
    const last = recordsOf(workspace).at(-1);
    assert.deepEqual([last?.version, last?.stage, last?.forced, last?.reason], [2, 'production', true, 'hotfix for a data bug']);
  });

  it('records forced: false when force was given but the gate passed', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.9);
    const result = await promote(workspace, 1, 'production', { force: true, reason: 'first release' });
    assert.equal(result.forced, false);
    assert.equal(recordsOf(workspace).at(-1)?.forced, false);
  });

  it('does not gate staging, and refuses an unknown version or the stage it already has', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.9);
    await register(workspace, 'r2', 0.1);
    await promote(workspace, 1, 'production');
    const staged = await promote(workspace, 2, 'staging', { reason: 'for a look' });
    assert.deepEqual([staged.promoted, staged.gate], [true, undefined]);
    await assert.rejects(promote(workspace, 2, 'staging'), /version 2 of model "classifier" is already in staging/);
    await assert.rejects(promote(workspace, 9, 'staging'), /model "classifier" has no version 9: its versions are 1 to 2/);
  });
});

describe('rollbackModel', () => {
  it('puts back the version most recently replaced in production, in one step, recorded as rollback', async () => {
    const workspace = testWorkspace();
    for (const [id, accuracy] of [['r1', 0.8], ['r2', 0.85], ['r3', 0.9]] as const) await register(workspace, id, accuracy);
    await promote(workspace, 1, 'production');
    await promote(workspace, 2, 'production');
    await promote(workspace, 3, 'production');
    const rolled = await rollbackModel(workspace.storeDir, 'classifier');
    assert.deepEqual([rolled.version, rolled.archived, rolled.from, rolled.promoted], [2, 3, 'archived', true]);
    const [archive, promotion] = recordsOf(workspace).slice(-2);
    assert.deepEqual([archive?.version, archive?.stage, archive?.reason], [3, 'archived', 'rollback']);
    assert.deepEqual([promotion?.version, promotion?.stage, promotion?.reason, promotion?.forced], [2, 'production', 'rollback', false]);
    assert.equal(readModel(workspace.storeDir, 'classifier').production, 2);
  });

  it('fails clearly when no version was ever replaced in production', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.8);
    await assert.rejects(rollbackModel(workspace.storeDir, 'classifier'), /nothing to roll back to/);
    await promote(workspace, 1, 'production');
    await assert.rejects(rollbackModel(workspace.storeDir, 'classifier'), /nothing to roll back to/);
  });
});

describe('setModelAlias', () => {
  it('points an alias at a version and removes it', async () => {
    const workspace = testWorkspace();
    await register(workspace, 'r1', 0.8);
    await register(workspace, 'r2', 0.9);
    await setModelAlias(workspace.storeDir, 'classifier', 'champion', 1);
    await setModelAlias(workspace.storeDir, 'classifier', 'champion', 2);
    assert.deepEqual(readModel(workspace.storeDir, 'classifier').versions.map((known) => known.aliases), [[], ['champion']]);
    await setModelAlias(workspace.storeDir, 'classifier', 'champion', null);
    assert.deepEqual(readModel(workspace.storeDir, 'classifier').aliases, {});
    await assert.rejects(setModelAlias(workspace.storeDir, 'classifier', 'champion', null), /no alias "champion"/);
    await assert.rejects(setModelAlias(workspace.storeDir, 'classifier', 'x', 5), /no version 5/);
    await assert.rejects(setModelAlias(workspace.storeDir, 'classifier', 'a b', 1), /Invalid alias/);
  });
});

describe('verifyArtifacts', () => {
  it('flags an artifact that changed or disappeared after registration, through the hash cache', async () => {
    const workspace = testWorkspace();
    // An old mtime makes the hash cache trust its entry: a later change must still be seen.
    const file = path.join(workspace.folder, 'out/model.pt');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(file, old, old);
    await register(workspace, 'r1', 0.8);
    writeArtifact(workspace.folder, 'out/other.pt', 'other');
    writeRun(workspace.storeDir, 'r2', { 'val/acc': 0.9 });
    await registerModelVersion({ ...workspace, model: CLASSIFIER, run: readSourceRun(workspace.storeDir, 'r2').run, artifactPath: 'out/other.pt' });
    const versions = () => readModel(workspace.storeDir, 'classifier').versions;
    assert.deepEqual((await verifyArtifacts(workspace.storeDir, workspace.folder, versions())).map((check) => check.status), ['ok', 'ok']);
    assert.ok(fs.existsSync(path.join(workspace.storeDir, 'cache', 'file-hashes.json')));

    fs.writeFileSync(file, 'weights v9'); // the same size
    fs.rmSync(path.join(workspace.folder, 'out/other.pt'));
    const [changed, missing] = await verifyArtifacts(workspace.storeDir, workspace.folder, versions());
    assert.equal(changed?.status, 'changed');
    assert.notEqual(changed?.hash, versions()[0]?.hash);
    assert.equal(missing?.status, 'missing');
    assert.equal(missing?.path, path.join(workspace.folder, 'out/other.pt'));
  });
});
