import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { UsageError } from '../../../src/cli/cliIo.ts';
import { MODEL_USAGE, MODELS_USAGE, modelCommand, modelsCommand } from '../../../src/cli/modelsCommand.ts';
import { modelFile } from '../../../src/models/modelStore.ts';
import { type TestWorkspace, testWorkspace, writeArtifact, writeRun } from './workspace.ts';

before(() => {
  process.env.MLTRAIL_USER = 'tester';
});

/** Runs a command the way src/cli/main.ts does: a thrown error is one line on stderr and exit code 2 or 1. */
async function cli(command: typeof modelsCommand, args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io = { cwd, out: (text: string) => (stdout += text), err: (text: string) => (stderr += text) };
  let code: number;
  try {
    code = await command(args, io);
  } catch (error) {
    stderr += `mltrail: ${(error as Error).message}\n`;
    code = error instanceof UsageError ? 2 : 1;
  }
  return { code, stdout, stderr };
}

const model = (args: string[], workspace: TestWorkspace) => cli(modelCommand, args, workspace.folder);
const models = (args: string[], workspace: TestWorkspace) => cli(modelsCommand, args, workspace.folder);

async function workspaceWithVersions(): Promise<TestWorkspace> {
  const workspace = testWorkspace();
  writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.8 });
  writeRun(workspace.storeDir, 'r2', { 'val/acc': 0.9 });
  writeRun(workspace.storeDir, 'r3', { 'val/acc': 0.7 });
  for (const run of ['r1', 'r2', 'r3']) assert.equal((await model(['register', 'classifier', '--run', run], workspace)).code, 0);
  return workspace;
}

describe('mltrail model register', () => {
  it('prints the new version as JSON', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.8, 'val/loss': Number.NaN });
    const { code, stdout, stderr } = await model(['register', 'classifier', '--run', 'r1', '--json'], workspace);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const version = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual({ ...version, time: null }, {
      version: 1,
      stage: 'none',
      aliases: [],
      run: 'r1',
      path: 'out/model.pt',
      hash: version.hash,
      size: 10,
      metrics: { 'val/acc': 0.8, 'val/loss': 'NaN' },
      datasets: [],
      git: { commit: 'abc1234', branch: 'main', dirty: false },
      time: null,
      user: 'tester',
      artifact: { status: 'ok', hash: version.hash, size: 10 },
    });
  });

  it('says which run, model or file is missing, and records nothing', async () => {
    const workspace = testWorkspace();
    writeRun(workspace.storeDir, 'r1', { 'val/acc': 0.8 });
    const noRun = await model(['register', 'classifier', '--run', 'r9'], workspace);
    assert.deepEqual([noRun.code, noRun.stderr.trim()], [1, `mltrail: no run "r9" in ${path.join(workspace.storeDir, 'runs')}`]);
    const noModel = await model(['register', 'ranker', '--run', 'r1'], workspace);
    assert.deepEqual([noModel.code, noModel.stderr.trim()], [1, 'mltrail: model "ranker" is not declared in mltrail.json "models" (declared: classifier)']);
    const noFile = await model(['register', 'classifier', '--run', 'r1', '--path', 'out/gone.pt'], workspace);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /out\/gone\.pt of model "classifier" does not exist; nothing was registered/);
    assert.equal(fs.existsSync(modelFile(workspace.storeDir, 'classifier')), false);
    assert.equal((await model(['register', 'classifier'], workspace)).code, 2);
    assert.equal((await model(['register', '--run', 'r1'], workspace)).code, 2);
  });
});

describe('mltrail model promote', () => {
  it('promotes past the gate and prints what changed', async () => {
    const workspace = await workspaceWithVersions();
    const first = await model(['promote', 'classifier', '1', '--stage', 'production'], workspace);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /classifier version 1: none -> production/);
    const second = await model(['promote', 'classifier', '2', '--stage', 'production', '--json'], workspace);
    assert.equal(second.code, 0);
    assert.deepEqual(JSON.parse(second.stdout), {
      model: 'classifier',
      version: 2,
      stage: 'production',
      from: 'none',
      promoted: true,
      forced: false,
      archived: 1,
      gate: { allowed: true, reason: JSON.parse(second.stdout).gate.reason, candidate: 0.9, production: 0.8 },
    });
  });

  it('exits 1 with the reason on stderr when the gate refuses, and --force --reason overrides', async () => {
    const workspace = await workspaceWithVersions();
    await model(['promote', 'classifier', '2', '--stage', 'production'], workspace);
    const refused = await model(['promote', 'classifier', '3', '--stage', 'production'], workspace);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /refused: val\/acc 0\.7 \(version 3\) vs 0\.9 \(production, version 2\): not higher by at least 0/);
    const refusedJson = await model(['promote', 'classifier', '3', '--stage', 'production', '--json'], workspace);
    assert.equal(refusedJson.code, 1);
    assert.equal((JSON.parse(refusedJson.stdout) as { promoted: boolean }).promoted, false);

    assert.equal((await model(['promote', 'classifier', '3', '--stage', 'production', '--force'], workspace)).code, 2, '--force needs --reason');
    const forced = await model(['promote', 'classifier', '3', '--stage', 'production', '--force', '--reason', 'rollout test'], workspace);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /forced past the gate/);
  });

  it('rejects a bad stage or version as usage errors', async () => {
    const workspace = await workspaceWithVersions();
    assert.equal((await model(['promote', 'classifier', '1', '--stage', 'prod'], workspace)).code, 2);
    assert.equal((await model(['promote', 'classifier', 'v1', '--stage', 'staging'], workspace)).code, 2);
    assert.equal((await model(['promote', 'classifier', '1'], workspace)).code, 2);
    assert.equal((await model(['promote', 'classifier', '7', '--stage', 'staging'], workspace)).code, 1);
  });
});

describe('mltrail model rollback and alias', () => {
  it('rolls production back to the version it replaced', async () => {
    const workspace = await workspaceWithVersions();
    const nothing = await model(['rollback', 'classifier'], workspace);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /nothing to roll back to/);
    await model(['promote', 'classifier', '1', '--stage', 'production'], workspace);
    await model(['promote', 'classifier', '2', '--stage', 'production'], workspace);
    const rolled = await model(['rollback', 'classifier', '--json'], workspace);
    assert.equal(rolled.code, 0);
    const result = JSON.parse(rolled.stdout) as Record<string, unknown>;
    assert.deepEqual([result.version, result.archived, result.stage, result.gate], [1, 2, 'production', null]);
  });

  it('sets and removes aliases', async () => {
    const workspace = await workspaceWithVersions();
    assert.equal((await model(['alias', 'classifier', 'champion', '2'], workspace)).code, 0);
    const listed = JSON.parse((await models(['--json'], workspace)).stdout) as Array<{ aliases: Record<string, number> }>;
    assert.deepEqual(listed[0]?.aliases, { champion: 2 });
    assert.equal((await model(['alias', 'classifier', 'champion', '--remove'], workspace)).code, 0);
    assert.equal((await model(['alias', 'classifier', 'champion'], workspace)).code, 2);
  });

  it('prints its usage without arguments (exit 2) and with --help (exit 0), and refuses unknown actions', async () => {
    const workspace = testWorkspace();
    assert.deepEqual(await model([], workspace), { code: 2, stdout: MODEL_USAGE, stderr: '' });
    assert.deepEqual(await model(['promote', '--help'], workspace), { code: 0, stdout: MODEL_USAGE, stderr: '' });
    assert.equal((await model(['delete', 'classifier'], workspace)).code, 2);
    assert.deepEqual(await models(['--help'], workspace), { code: 0, stdout: MODELS_USAGE, stderr: '' });
  });
});

describe('mltrail models', () => {
  it('lists each model with versions, stages, history and an artifact check as JSON', async () => {
    const workspace = await workspaceWithVersions();
    await model(['promote', 'classifier', '1', '--stage', 'production'], workspace);
    await model(['promote', 'classifier', '2', '--stage', 'production'], workspace);
    await model(['promote', 'classifier', '3', '--stage', 'staging', '--reason', 'canary'], workspace);
    writeArtifact(workspace.folder, 'out/model.pt', 'retrained!');
    const { code, stdout, stderr } = await models(['--json'], workspace);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const [classifier] = JSON.parse(stdout) as Array<Record<string, unknown> & { versions: Array<Record<string, unknown>>; history: Array<Record<string, unknown>> }>;
    assert.deepEqual(
      { ...classifier, versions: undefined, history: undefined },
      { name: 'classifier', declared: true, path: 'out/model.pt', metric: 'val/acc', goal: 'max', minDelta: 0, production: 2, rollbackTarget: 1, aliases: {}, versions: undefined, history: undefined },
    );
    assert.deepEqual(classifier!.versions.map((version) => [version.version, version.stage, (version.artifact as { status: string }).status]), [
      [1, 'archived', 'changed'],
      [2, 'production', 'changed'],
      [3, 'staging', 'changed'],
    ]);
    const last = classifier!.history.at(-1)!;
    assert.deepEqual({ ...last, time: null }, { version: 3, stage: 'staging', from: 'none', time: null, user: 'tester', reason: 'canary', forced: false, replacedBy: null });
    assert.equal(classifier!.history.length, 4);
  });

  it('prints a table per model, and reports malformed lines with file:line without failing', async () => {
    const workspace = await workspaceWithVersions();
    await model(['promote', 'classifier', '2', '--stage', 'production'], workspace);
    fs.appendFileSync(modelFile(workspace.storeDir, 'classifier'), '{"type":"stage","version":2\n');
    fs.rmSync(path.join(workspace.folder, 'out/model.pt'));
    const { code, stdout, stderr } = await models([], workspace);
    assert.equal(code, 0);
    assert.equal(stderr, `${modelFile(workspace.storeDir, 'classifier')}:5: not valid JSON (${errorOf('{"type":"stage","version":2')}) (line skipped)\n`);
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /^classifier {2}val\/acc \(max, minDelta 0\) {2}production: version 2$/);
    assert.match(lines[1]!, /^ {2}VERSION +STAGE +ALIASES +VAL\/ACC +RUN +REGISTERED +BY +ARTIFACT$/);
    assert.match(lines[2]!, /^ {2}3 +none +0\.7 +r3 +just now +tester +missing$/);
    assert.match(lines[3]!, /^ {2}2 +production +0\.9 +r2 /);
  });

  it('lists recorded models that are no longer declared, and says when there are none', async () => {
    const workspace = testWorkspace({});
    assert.equal((await models([], workspace)).stdout, 'No models. Declare them in mltrail.json "models" (see docs/models.md).\n');
    fs.mkdirSync(path.join(workspace.storeDir, 'models'));
    fs.writeFileSync(modelFile(workspace.storeDir, 'old'), '');
    const listed = JSON.parse((await models(['--json'], workspace)).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(listed.map((entry) => [entry.name, entry.declared, entry.metric]), [['old', false, null]]);
  });

  it('reports problems in mltrail.json "models" on stderr', async () => {
    const workspace = testWorkspace({ broken: { metric: 'acc' } });
    const { code, stderr } = await models([], workspace);
    assert.equal(code, 0);
    assert.match(stderr, /mltrail\.json:4: "models"\."broken": "goal" must be "max" or "min"; model ignored/);
  });
});

function errorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
