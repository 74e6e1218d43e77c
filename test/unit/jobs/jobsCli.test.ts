import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cancelCommand, jobsCommand, logsCommand, runCommand } from '../../../src/cli/jobsCommand.ts';
import { type CliIo, CommandError, UsageError } from '../../../src/cli/cliIo.ts';
import { tempDir } from '../../support/tempStore.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/jobs');

function workspace(): string {
  const folder = tempDir();
  const node = process.execPath;
  fs.writeFileSync(
    path.join(folder, 'mltrail.json'),
    JSON.stringify({
      version: 1,
      jobs: {
        ok: { command: [node, path.join(fixtures, 'protocol.mjs'), '{code}'], params: { code: 0 } },
        sweep: { command: [node, '-e', 'process.exit({code})'], params: { code: 0 }, sweep: { code: [0, 4, 0] } },
        sleepy: { command: [node, path.join(fixtures, 'sleeper.mjs')] },
      },
    }),
  );
  return folder;
}

function io(cwd: string) {
  const captured = { out: '', err: '' };
  const cliIo: CliIo = { cwd, out: (text) => (captured.out += text), err: (text) => (captured.err += text) };
  return { cliIo, captured };
}

describe('mltrail run, logs, cancel, jobs', () => {
  it('runs a job following its logs, and exits with its exit code', async () => {
    const folder = workspace();
    const ok = io(folder);
    assert.equal(await runCommand(['ok'], ok.cliIo), 0);
    assert.match(ok.captured.out, /plain log line/);
    assert.match(ok.captured.err, /run \S+ finished \(exit code 0\)/);
    const failed = io(folder);
    assert.equal(await runCommand(['ok', '--param', 'code=5', '--json'], failed.cliIo), 5);
    const [result] = JSON.parse(failed.captured.out) as Array<{ id: string; status: string; params: unknown }>;
    assert.deepEqual([result?.status, result?.params], ['failed', { code: 5 }]);

    const logs = io(folder);
    assert.equal(await logsCommand([result!.id], logs.cliIo), 0);
    assert.match(logs.captured.out, /plain log line\n/);
  });

  it('runs every point of a sweep, or the one --index names, returning the first failing code', async () => {
    const folder = workspace();
    const all = io(folder);
    assert.equal(await runCommand(['sweep', '--json'], all.cliIo), 4);
    assert.deepEqual((JSON.parse(all.captured.out) as Array<{ name: string }>).map((run) => run.name), ['sweep code=0', 'sweep code=4', 'sweep code=0']);
    assert.equal(await runCommand(['sweep', '--index', '2', '--json'], io(folder).cliIo), 0);
  });

  it('refuses unknown backends and jobs, stray options, and says when there is no kubeconfig', async () => {
    const folder = workspace();
    await assert.rejects(runCommand(['ok', '--backend', 'slurm'], io(folder).cliIo), (error) => error instanceof UsageError && /unknown backend "slurm"/.test(error.message));
    await assert.rejects(runCommand(['ok', '--context', 'gpu'], io(folder).cliIo), (error) => error instanceof UsageError && /go with --backend kubernetes/.test(error.message));
    await assert.rejects(runCommand(['missing'], io(folder).cliIo), (error) => error instanceof CommandError && /no job "missing".*jobs: ok, sweep, sleepy/.test(error.message));
    await assert.rejects(runCommand(['ok', '--param', 'code'], io(folder).cliIo), UsageError);
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    process.env.KUBECONFIG = path.join(folder, 'missing-kubeconfig');
    process.env.HOME = folder;
    try {
      await assert.rejects(runCommand(['ok', '--backend', 'kubernetes'], io(folder).cliIo), (error) => error instanceof CommandError && /kubeconfig/i.test(error.message));
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const runs = path.join(folder, '.mltrail', 'runs');
    assert.deepEqual(fs.existsSync(runs) ? fs.readdirSync(runs) : [], [], 'nothing recorded for a launch that could not start');
  });

  it('runs a script no job declares with --script, named after the file', async () => {
    const folder = workspace();
    fs.mkdirSync(path.join(folder, 'scripts'));
    fs.writeFileSync(path.join(folder, 'scripts', 'quick train.sh'), 'echo \'{"mltrail":"metric","name":"acc","step":0,"value":0.75}\'\necho done\n');
    const script = io(folder);
    assert.equal(await runCommand(['--script', 'scripts/quick train.sh', '--json'], script.cliIo), 0);
    const [result] = JSON.parse(script.captured.out) as Array<{ id: string; job: string; status: string }>;
    assert.deepEqual([result?.job, result?.status], ['quick-train', 'finished']);
    const dir = path.join(folder, '.mltrail', 'runs', result!.id);
    assert.match(fs.readFileSync(path.join(dir, 'run.jsonl'), 'utf8'), /"command":\["bash","scripts\/quick train.sh"\]/);
    assert.match(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'), /"name":"acc","step":0,"value":0.75/);
    await assert.rejects(runCommand(['--script', 'nope.py'], io(folder).cliIo), (error) => error instanceof CommandError && /no script nope.py/.test(error.message));
    await assert.rejects(runCommand(['ok', '--script', 'scripts/quick train.sh'], io(folder).cliIo), UsageError);
  });

  it('cancels a running job from another command, follows its logs to the end, and refuses to cancel it twice', async () => {
    const folder = workspace();
    const running = io(folder);
    const exitCode = runCommand(['sleepy', '--json'], running.cliIo);
    const runsDir = path.join(folder, '.mltrail', 'runs');
    let id: string | undefined;
    while (!id || !fs.existsSync(path.join(runsDir, id, 'logs.txt')) || !fs.readFileSync(path.join(runsDir, id, 'logs.txt'), 'utf8').includes('ready')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      id = fs.existsSync(runsDir) ? fs.readdirSync(runsDir)[0] : undefined;
    }
    const follow = io(folder);
    const following = logsCommand([id, '--follow'], follow.cliIo);
    const cancel = io(folder);
    assert.equal(await cancelCommand([id, '--grace', '5'], cancel.cliIo), 0);
    assert.match(cancel.captured.out, /Cancelled run/);
    assert.equal(await exitCode, 128 + 15);
    assert.equal((JSON.parse(running.captured.out) as Array<{ status: string }>)[0]?.status, 'killed');
    assert.equal(await following, 0);
    assert.match(follow.captured.out, /ready\n/);
    await assert.rejects(cancelCommand([id], io(folder).cliIo), (error) => error instanceof CommandError && /is not running \(killed\)/.test(error.message));
    await assert.rejects(cancelCommand(['20990101-000000-000000'], io(folder).cliIo), (error) => error instanceof CommandError && /no run/.test(error.message));
  });

  it('lists the jobs with their recent runs', async () => {
    const folder = workspace();
    await runCommand(['ok', '--json'], io(folder).cliIo);
    const listed = io(folder);
    assert.equal(await jobsCommand(['--json'], listed.cliIo), 0);
    const jobs = JSON.parse(listed.captured.out) as Array<{ name: string; sweepSize: number; recentRuns: Array<{ status: string }> }>;
    assert.deepEqual(jobs.map((job) => [job.name, job.sweepSize, job.recentRuns.map((run) => run.status)]), [
      ['ok', 1, ['finished']],
      ['sweep', 3, []],
      ['sleepy', 1, []],
    ]);
    const table = io(folder);
    assert.equal(await jobsCommand([], table.cliIo), 0);
    assert.match(table.captured.out, /JOB\s+COMMAND/);
  });
});
