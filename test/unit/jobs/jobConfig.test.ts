import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseJobDefinitions } from '../../../src/jobs/jobConfig.ts';
import { expandSweep, parseParamOverride, planJobRuns, substituteCommand } from '../../../src/jobs/jobParams.ts';
import { loadWorkspaceConfig } from '../../../src/store/config.ts';
import { tempDir } from '../../support/tempStore.ts';

function configWith(jobs: unknown) {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, jobs }, null, 2));
  return parseJobDefinitions(loadWorkspaceConfig(folder));
}

describe('job definitions', () => {
  it('reads every key of a job, resources and kubernetes passed through as written', () => {
    const { jobs, problems } = configWith({
      train: {
        script: 'train.py',
        command: ['python', 'train.py', '--lr', '{lr}'],
        params: { lr: 0.001, epochs: 10 },
        sweep: { lr: [0.001, 0.01] },
        env: { KEY: 'value', THREADS: 4 },
        experiment: 'baseline',
        inputs: ['train'],
        resources: { gpu: 1 },
        kubernetes: { image: 'trainer:1' },
      },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(jobs, [
      {
        name: 'train',
        script: 'train.py',
        command: ['python', 'train.py', '--lr', '{lr}'],
        params: { lr: 0.001, epochs: 10 },
        sweep: { lr: [0.001, 0.01] },
        env: { KEY: 'value', THREADS: '4' },
        experiment: 'baseline',
        inputs: ['train'],
        resources: { gpu: 1 },
        kubernetes: { image: 'trainer:1' },
      },
    ]);
  });

  it('runs a script by its interpreter when there is no command', () => {
    const { jobs } = configWith({ py: { script: 'train.py' }, sh: { script: 'run.sh' }, bin: { script: './train' } });
    assert.deepEqual(jobs.map((job) => job.command), [['python', 'train.py'], ['bash', 'run.sh'], ['./train']]);
  });

  it('reports what is wrong at its line, leaving out jobs that cannot run and skipping lesser mistakes', () => {
    const { jobs, problems } = configWith({
      ok: { command: ['true'], env: { BAD: { nested: 1 } }, sweep: { lr: [] } },
      nothing: {},
      'bad name': { command: ['true'] },
      shell: { command: 'python train.py' },
    });
    assert.deepEqual(jobs.map((job) => job.name), ['ok']);
    assert.deepEqual(jobs[0]?.env, {});
    assert.deepEqual(jobs[0]?.sweep, {});
    assert.deepEqual(
      problems.map((problem) => [problem.line, problem.message.split(':')[0]]),
      [
        [4, '"jobs"."ok"'],
        [4, '"jobs"."ok"'],
        [17, '"jobs"."nothing"'],
        [18, '"jobs"."bad name"'],
        [23, '"jobs"."shell"'],
      ],
    );
    assert.match(problems[2]?.message ?? '', /needs a "command"/);
  });

  it('reports a "jobs" that is not an object', () => {
    const { jobs, problems } = configWith(['train']);
    assert.deepEqual(jobs, []);
    assert.equal(problems[0]?.line, 3);
  });
});

describe('job params', () => {
  it('substitutes {name} with the param, strings as they are and the rest as JSON', () => {
    assert.deepEqual(substituteCommand('train', ['x', '--lr={lr}', '{opt}', '{layers}', '{"json": 1}'], { lr: 0.01, opt: 'adam', layers: [64, 32] }), [
      'x',
      '--lr=0.01',
      'adam',
      '[64,32]',
      '{"json": 1}',
    ]);
  });

  it('names the job and the placeholder when a param is missing', () => {
    assert.throws(() => substituteCommand('train', ['--x', '{missing}'], { lr: 1 }), /job "train": the command uses \{missing\}, which is not a param \(params: lr\)/);
  });

  it('reads --param values as JSON when they are, as strings otherwise', () => {
    assert.deepEqual(parseParamOverride('lr=0.1'), ['lr', 0.1]);
    assert.deepEqual(parseParamOverride('flag=true'), ['flag', true]);
    assert.deepEqual(parseParamOverride('opt=adam'), ['opt', 'adam']);
    assert.deepEqual(parseParamOverride('expr=a=b'), ['expr', 'a=b']);
    assert.deepEqual(parseParamOverride('sizes=[1,2]'), ['sizes', [1, 2]]);
    assert.throws(() => parseParamOverride('=1'), /NAME=VALUE/);
    assert.throws(() => parseParamOverride('lr'), /NAME=VALUE/);
  });

  it('expands a sweep into the cross product, the first param varying slowest', () => {
    assert.deepEqual(expandSweep({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    assert.deepEqual(expandSweep({}), [{}]);
  });

  it('plans one run per sweep point: defaults, then the point, then overrides', () => {
    const job = { name: 'train', command: ['t', '{lr}', '{epochs}'], params: { lr: 0.001, epochs: 10 }, sweep: { lr: [0.01, 0.1] }, env: {}, inputs: [] };
    const plans = planJobRuns(job, { epochs: 3 });
    assert.deepEqual(plans, [
      { job: 'train', index: 0, params: { lr: 0.01, epochs: 3 }, command: ['t', '0.01', '3'], name: 'train lr=0.01' },
      { job: 'train', index: 1, params: { lr: 0.1, epochs: 3 }, command: ['t', '0.1', '3'], name: 'train lr=0.1' },
    ]);
    assert.deepEqual(planJobRuns(job, {}, 1).map((plan) => plan.index), [1]);
    assert.throws(() => planJobRuns(job, {}, 2), /has 2 sweep points: the index must be 0 to 1/);
    assert.deepEqual(planJobRuns({ ...job, sweep: {} }).map((plan) => plan.name), ['train']);
  });
});
