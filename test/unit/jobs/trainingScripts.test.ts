import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { JobDefinition } from '../../../src/jobs/jobConfig.ts';
import { parseProtocolLine } from '../../../src/jobs/stdoutProtocol.ts';
import {
  detectTrainingScript,
  kubernetesRunTitle,
  localRunTitle,
  lastRunTitle,
  runsOfTrainingScript,
  workspacePath,
} from '../../../src/jobs/trainingScripts.ts';
import type { RunSummary } from '../../../src/runs/runSummary.ts';
import { tempDir } from '../../support/tempStore.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const FOLDER = path.join(path.sep, 'work', 'project');

function job(name: string, fields: Partial<JobDefinition> = {}): JobDefinition {
  return { name, command: ['python', `${name}.py`], params: {}, sweep: {}, env: {}, inputs: [], ...fields };
}

function detect(file: string, text: string, jobs: JobDefinition[] = []) {
  return detectTrainingScript({ folder: FOLDER, path: file }, text, jobs);
}

function lines(...source: string[]): string {
  return source.join('\n') + '\n';
}

const PRINTS_METRIC = '    print(json.dumps({"mltrail": "metric", "name": "loss", "value": 0.4}), flush=True)';

describe('training scripts a job declares', () => {
  it('matches the job\'s script whatever the spelling of the path, on line 0 without a __main__ guard', () => {
    const train = job('train', { script: './src/../src/train.py', command: ['python', '-m', 'src.train'] });
    assert.deepEqual(detect('src/train.py', 'import torch\n', [train]), { jobs: [train], line: 0 });
    assert.deepEqual(detect('src\\train.py', '', [train]), { jobs: [train], line: 0 });
    const absolute = job('abs', { script: path.join(FOLDER, 'src', 'train.py') });
    assert.deepEqual(detect('src/train.py', '', [absolute])?.jobs, [absolute]);
    assert.equal(detect('src/eval.py', '', [train]), undefined);
    assert.equal(detect('train.py', '', [job('outside', { script: '../train.py' })]), undefined);
  });

  it('puts the lenses on the __main__ guard when the declared script has one', () => {
    const train = job('train', { script: 'train.py' });
    assert.deepEqual(detect('train.py', lines('import sys', '', 'if __name__ == "__main__":', '    main()'), [train]), { jobs: [train], line: 2 });
  });

  it('matches a job whose command runs the file, and lists every job of the file in mltrail.json order', () => {
    const train = job('train', { command: ['python', 'train.py', '--lr', '{lr}'] });
    const other = job('other', { command: ['python', 'other.py'] });
    const finetune = job('finetune', { script: 'train.py', command: ['python', 'train.py', '--resume'] });
    assert.deepEqual(detect('train.py', '', [train, other, finetune])?.jobs.map((found) => found.name), ['train', 'finetune']);
  });

  it('takes a declared script in any language, without reading its text', () => {
    const shell = job('prepare', { script: 'scripts/prepare.sh' });
    assert.deepEqual(detect('scripts/prepare.sh', 'if __name__ == "__main__":\n', [shell]), { jobs: [shell], line: 0 });
  });
});

describe('Python scripts that report to MLTrail', () => {
  it('finds a script printing protocol records under a __main__ guard, the lenses on the guard', () => {
    const text = lines('import json', '', 'def main():', '    pass', '', 'if __name__ == "__main__":', PRINTS_METRIC);
    assert.deepEqual(detect('train.py', text), { jobs: [], line: 5 });
  });

  for (const guard of [
    "if __name__=='__main__':",
    'if __name__  ==  "__main__" :',
    'if "__main__" == __name__:',
    "if ( __name__ == '__main__' ):",
    'if __name__ == "__main__":  # entry point',
  ]) {
    it(`reads the guard ${guard}`, () => {
      assert.equal(detect('train.py', lines('import json', guard, PRINTS_METRIC))?.line, 1);
    });
  }

  for (const [what, code] of [
    ['a single-quoted key', "record = {'mltrail': 'metric', 'name': 'loss', 'value': 1.0}"],
    ['a key after other keys', 'record = {"name": "loss", "mltrail": "metric", "value": 1.0}'],
    ['a key on its own line', 'record = {\n    "value": 1.0,\n    "mltrail" : "metric",\n}'],
    ['a key with a string prefix', "record = {u'mltrail': u'metric', u'name': u'loss', u'value': 1.0}"],
    ['a key in a dict passed on', 'emit(dict(base, **{"mltrail": "metric"}))'],
    ['a dict printed with Python\'s print', 'print({"mltrail": "tags", "values": {}})'],
    ['a protocol line in a printed string', 'print(\'{"mltrail": "metric", "name": "loss", "value": %f}\' % loss)'],
    ['a protocol line in an f-string with escaped quotes', 'print(f"{{\\"mltrail\\": \\"metric\\", \\"value\\": {loss}}}")'],
    ['a protocol line written to stdout', 'sys.stdout.write(\'{"mltrail":"metric","name":"loss","value":1}\\n\')'],
    ['import mltrail_log', 'import mltrail_log'],
    ['an import list with an alias', 'import os, mltrail_log as ml'],
    ['from mltrail_log import', 'from mltrail_log import log_metric, log_params'],
    ['the helper inside a package', 'from utils.mltrail_log import (\n    log_metric,\n)'],
    ['the helper imported from a package', 'from . import mltrail_log'],
    ['the helper in a parenthesised import list', 'from helpers import (\n    json_log,\n    mltrail_log,\n)'],
    ['an import after a semicolon', 'x = 1; import mltrail_log'],
    ['an import continued on the next line', 'import os, \\\n    mltrail_log'],
    ['an import in a try block', 'try:\n    import mltrail_log\nexcept ImportError:\n    pass'],
  ] as const) {
    it(`counts ${what}`, () => {
      const text = lines('import json, sys', code, '', 'if __name__ == "__main__":', '    main()');
      const guardLine = text.split('\n').indexOf('if __name__ == "__main__":');
      assert.deepEqual(detect('train.py', text), { jobs: [], line: guardLine });
    });
  }

  it('counts lines with CRLF endings right', () => {
    const text = ['import mltrail_log', '"""A', 'docstring', '"""', 'x = 1 + \\', '    2', 'if __name__ == "__main__":', '    main()'].join('\r\n');
    assert.equal(detect('train.py', text)?.line, 6);
  });

  it('takes the first guard when a file has several', () => {
    assert.equal(detect('train.py', lines('import mltrail_log', 'if __name__ == "__main__":', '    a()', 'if __name__ == "__main__":', '    b()'))?.line, 1);
  });
});

describe('Python files that are not training scripts', () => {
  for (const [what, text] of [
    ['a __main__ guard without the protocol', lines('import json', 'if __name__ == "__main__":', '    print(json.dumps({"loss": 0.4}))')],
    ['the protocol without a __main__ guard', lines('import json', PRINTS_METRIC.trim())],
    ['the protocol in a comment', lines('# print(json.dumps({"mltrail": "metric", "value": 1}))', 'if __name__ == "__main__":', '    main()  # import mltrail_log')],
    ['the protocol in a docstring', lines('"""Prints lines like {"mltrail": "metric", "value": 1}."""', 'if __name__ == "__main__":', '    main()')],
    ['"mltrail" printed without being a key', lines('print("mltrail: starting", flush=True)', 'print(\'{"mltrail_run": 1, "by_mltrail": 2}\')', 'if __name__ == "__main__":', '    main()')],
    ['the protocol in a string that is not printed', lines('EXAMPLE = \'{"mltrail": "metric"}\'', 'if __name__ == "__main__":', '    main()')],
    ['"mltrail" as a value, an index and in a set', lines('name = "mltrail"', 'x = d["mltrail"]', 's = {"mltrail", "other"}', 'f(mltrail="metric")', 'if __name__ == "__main__":', '    main()')],
    ['"mltrail" before a colon that ends no key', lines('x = a[0, "mltrail":]', 'handlers = {"log": lambda name="mltrail": name}', 'if __name__ == "__main__":', '    main()')],
    ['a module with a similar name', lines('import mltrail_logger', 'from helpers import mltrail_logging', 'if __name__ == "__main__":', '    main()')],
    ['the helper named outside an import', lines('helper = mltrail_log', 'if __name__ == "__main__":', '    main()')],
    ['a guard inside a string', lines('import mltrail_log', 'CODE = """', 'if __name__ == "__main__":', '"""')],
    ['a guard in a comment', lines('import mltrail_log', '# if __name__ == "__main__":')],
    ['a comparison that is no guard', lines('import mltrail_log', 'is_main = __name__ == "__main__"', 'if __name__ == "__main__" and x:', '    main()')],
  ] as const) {
    it(`ignores ${what}`, () => {
      assert.equal(detect('train.py', text), undefined);
    });
  }

  it('reads only Python files unless a job names them', () => {
    const text = lines('import mltrail_log', 'if __name__ == "__main__":', '    main()');
    assert.deepEqual(detect('train.py', text), { jobs: [], line: 1 });
    assert.equal(detect('notes.txt', text), undefined);
  });
});

describe('scanning large files', () => {
  /** About 1 MB of ordinary Python: functions, strings, comments, dicts and calls. */
  function bigSource(tail: string): string {
    const block = lines(
      'def step_{n}(batch, state):',
      '    """Runs one step; returns the loss as {"loss": value}."""',
      "    config = {'lr': 0.001, 'name': \"step {n}\", 'sizes': [1, 2, 3]}  # not the protocol",
      '    total = sum(x * 2 for x in batch if x > 0) / max(len(batch), 1)',
      "    print(f'step {n}: {total:.3f}', state[\"epoch\"], flush=True)",
      '    return total',
      '',
    );
    const parts: string[] = [];
    let size = 0;
    for (let n = 0; size < 1_000_000; n++) {
      const part = block.replaceAll('{n}', String(n));
      parts.push(part);
      size += part.length;
    }
    return parts.join('') + tail;
  }

  it('reads a 1 MB script to its end', () => {
    const text = bigSource(lines('import mltrail_log', 'if __name__ == "__main__":', '    main()'));
    const guardLine = text.split('\n').length - 3;
    assert.ok(text.length >= 1_000_000);
    assert.deepEqual(detect('train.py', text), { jobs: [], line: guardLine });
  });

  it('finds no protocol in a file of printed strings full of "mltrail" that are never a protocol line', () => {
    const text = 'print("' + 'mltrail '.repeat(20) + '")\n';
    const big = (text + lines('x = "mltrail"', 'y = {"mltrail"}')).repeat(Math.ceil(1_000_000 / text.length)) + lines('if __name__ == "__main__":', '    main()');
    assert.equal(detect('train.py', big), undefined);
  });

  it('sees nothing inside an unterminated triple-quoted string', () => {
    const big = 'import mltrail_log\n"""' + 'if __name__ == "__main__":\n'.repeat(40_000);
    assert.equal(detect('train.py', big), undefined);
  });
});

describe('workspace paths', () => {
  it('resolves ./ and .., unifies separators, and refuses paths outside the folder', () => {
    assert.equal(workspacePath('./a/b/../c.py', FOLDER), 'a/c.py');
    assert.equal(workspacePath('a\\c.py', FOLDER), 'a/c.py');
    assert.equal(workspacePath(path.join(FOLDER, 'a', 'c.py'), FOLDER), 'a/c.py');
    assert.equal(workspacePath('../c.py', FOLDER), undefined);
    assert.equal(workspacePath(path.join(path.sep, 'elsewhere', 'c.py'), FOLDER), undefined);
    assert.equal(workspacePath('.', FOLDER), undefined);
  });
});

function run(id: string, fields: Partial<RunSummary> = {}): RunSummary {
  return { id, name: id, experiment: 'default', status: 'finished', metrics: {}, params: {}, tags: {}, ...fields };
}

function metric(last: number) {
  return { last, step: 0, min: last, max: last, count: 1 };
}

describe('the runs of a training script', () => {
  const runs = [
    run('a', { tags: { job: 'train' }, startTime: 1_000, command: ['python', 'train.py'] }),
    run('b', { tags: { job: 'eval' }, startTime: 3_000, command: ['python', 'eval.py'] }),
    run('c', { tags: { job: 'train' }, startTime: 2_000, command: ['python', 'train.py'] }),
    run('d', { tags: { job: 'train' } }),
    run('e', { startTime: 5_000, command: ['python', './train.py', '--lr', '0.1'] }),
    run('f', { startTime: 4_000, command: ['python', path.join(FOLDER, 'train.py')] }),
    run('g', { startTime: 6_000, command: ['python', 'src/train.py'] }),
    // `mltrail run --script scripts/train.py`: named after the file stem like the declared job, but not its run.
    run('h', { tags: { job: 'train', script: 'scripts/train.py' }, startTime: 7_000, command: ['python', 'scripts/train.py'] }),
  ];

  it('are a job\'s runs by their job tag, newest first, runs without a start last, ad-hoc script runs left out', () => {
    assert.deepEqual(runsOfTrainingScript(runs, { job: 'train' }).map((found) => found.id), ['c', 'a', 'd']);
    assert.deepEqual(runsOfTrainingScript(runs, { script: { folder: FOLDER, path: 'scripts/train.py' } }).map((found) => found.id), ['h']);
    assert.deepEqual(runsOfTrainingScript(runs, { job: 'missing' }), []);
  });

  it('are a script\'s runs by their command naming it, newest first', () => {
    assert.deepEqual(runsOfTrainingScript(runs, { script: { folder: FOLDER, path: 'train.py' } }).map((found) => found.id), ['e', 'f', 'c', 'a']);
  });

  it('title the last run by the key metric it has, else its status, and when it ended', () => {
    const now = 10 * 60_000;
    const finished = run('x', { startTime: 0, endTime: now - 5 * 60_000, metrics: { acc: metric(0.9), loss: metric(0.41234) } });
    assert.equal(lastRunTitle(finished, 'loss', now), 'Last run: loss=0.4123 · 5m ago');
    assert.equal(lastRunTitle(finished, undefined, now), 'Last run: acc=0.9 · 5m ago');
    assert.equal(lastRunTitle(finished, 'f1', now), 'Last run: finished · 5m ago');
    const running = run('y', { status: 'running', startTime: now - 3 * 3_600_000 });
    assert.equal(lastRunTitle(running, 'loss', now), 'Last run: running · 3h ago');
    assert.equal(lastRunTitle(run('z', { status: 'failed' }), undefined, now), 'Last run: failed');
  });

  it('title the Kubernetes lens with the job\'s context, else the chosen one, and its GPUs', () => {
    const gpuJob = job('train', { kubernetes: { context: 'gpu-cluster' }, resources: { gpus: 2 } });
    assert.equal(kubernetesRunTitle(gpuJob, 'other'), 'Run on gpu-cluster (2× GPU)');
    assert.equal(kubernetesRunTitle(job('train', { kubernetes: {}, resources: { gpus: '1' } }), 'chosen'), 'Run on chosen (1× GPU)');
    assert.equal(kubernetesRunTitle(job('train', { kubernetes: { context: '' }, resources: { gpus: 0 } }), undefined), 'Run on Kubernetes');
    assert.equal(kubernetesRunTitle(job('train', { kubernetes: {} }), ''), 'Run on Kubernetes');
    assert.equal(kubernetesRunTitle(job('train', { kubernetes: {} }), undefined, 'minikube'), 'Run on minikube', 'the kubeconfig\'s current-context when known');
    assert.equal(kubernetesRunTitle(job('train', { kubernetes: {} }), 'chosen', 'minikube'), 'Run on chosen');
  });

  it('count the runs of a sweep in the launch lenses', () => {
    const swept = job('train', { kubernetes: {}, resources: { gpus: 1 }, sweep: { lr: [0.1, 0.01, 0.001], seed: [1, 2] } });
    assert.equal(localRunTitle(swept), 'Run locally (6 runs)');
    assert.equal(kubernetesRunTitle(swept, 'gpu'), 'Run on gpu (1× GPU, 6 runs)');
    assert.equal(kubernetesRunTitle({ ...swept, resources: {} }, 'gpu'), 'Run on gpu (6 runs)');
    assert.equal(localRunTitle(job('train', { sweep: { lr: [0.1] } })), 'Run locally');
  });
});

interface Snippet {
  prefix: string;
  body: string[];
  description: string;
}

/** A snippet's text as inserted when every tab stop keeps its default. */
function expand(snippet: Snippet): string {
  return snippet.body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
}

const python = ['/usr/bin/python3', ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'python3'))].find((file) => fs.existsSync(file));

describe('snippets/python.json', () => {
  const snippets = JSON.parse(fs.readFileSync(path.join(root, 'snippets', 'python.json'), 'utf8')) as Record<string, Snippet>;
  const expected: Record<string, string> = { 'mltrail metric': 'metric', 'mltrail params': 'params', 'mltrail tags': 'tags', 'mltrail model': 'model', 'mltrail helper': '' };

  it('has the metric, params, tags, model and helper snippets, each with a prefix', () => {
    assert.deepEqual(Object.keys(snippets).sort(), Object.keys(expected).sort());
    assert.equal(snippets['mltrail metric']?.prefix, 'mltrail-metric');
    for (const snippet of Object.values(snippets)) assert.match(snippet.prefix, /^mltrail-[a-z]+$/);
  });

  for (const [name, kind] of Object.entries(expected)) {
    it(`${name} makes a script with a __main__ guard a training script${python ? ' and prints records the runner applies' : ''}`, () => {
      const snippet = snippets[name] as Snippet;
      const body = expand(snippet).split('\n').map((line) => `    ${line}`);
      const script = lines(
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(path.join(root, 'examples'))})`,
        'if __name__ == "__main__":',
        '    step, loss, lr = 3, 0.25, 0.01',
        ...body,
      );
      assert.deepEqual(detect('train.py', script), { jobs: [], line: 2 });
      if (!python) return;
      const file = path.join(tempDir(), 'train.py');
      fs.writeFileSync(file, script);
      const result = spawnSync(python, [file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const records = result.stdout.trim().split('\n').map((line) => parseProtocolLine(line));
      assert.ok(records.length > 0);
      for (const record of records) assert.equal(record.type, 'record', JSON.stringify(record));
      if (kind) assert.deepEqual(records.map((record) => record.type === 'record' && record.record.kind), [kind]);
    });
  }
});

describe('examples/mltrail_log.py', { skip: python ? false : 'python3 is not on PATH' }, () => {
  it('prints one protocol record per call from dicts, keywords, NumPy-like values and threads', () => {
    const script = lines(
      'import sys, threading',
      `sys.path.insert(0, ${JSON.stringify(path.join(root, 'examples'))})`,
      'from mltrail_log import log_metric, log_metrics, log_params, log_tags',
      'class Scalar:  # what NumPy numbers and one-element tensors offer',
      '    def __init__(self, value): self.value = value',
      '    def tolist(self): return self.value',
      '    def __float__(self): return float(self.value)',
      '    def __int__(self): return int(self.value)',
      'log_params({"optimizer.lr": Scalar(0.5)}, values=[Scalar(1), 2])',
      'log_tags(team="vision")',
      'log_metric("loss", Scalar(0.25), step=Scalar(3))',
      'log_metrics({"a": 1, "b": float("nan")}, step=4)',
      'threads = [threading.Thread(target=lambda n=n: [log_metric("t%d" % n, i, step=i) for i in range(200)]) for n in range(4)]',
      'for thread in threads: thread.start()',
      'for thread in threads: thread.join()',
    );
    const file = path.join(tempDir(), 'helper.py');
    fs.writeFileSync(file, script);
    const result = spawnSync(python as string, [file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const parsed = result.stdout.trimEnd().split('\n').map((line) => parseProtocolLine(line));
    const records = parsed.map((line) => (line.type === 'record' ? line.record : assert.fail(`not a record: ${JSON.stringify(line)}`)));
    assert.equal(records.length, 5 + 4 * 200);
    assert.deepEqual(records[0], { kind: 'params', values: { 'optimizer.lr': 0.5, values: [1, 2] } });
    assert.deepEqual(records[1], { kind: 'tags', values: { team: 'vision' } });
    assert.deepEqual({ ...records[2], time: undefined }, { kind: 'metric', name: 'loss', value: 0.25, step: 3, time: undefined });
    assert.deepEqual(records.slice(3, 5).map((record) => record.kind === 'metric' && [record.name, record.step]), [['a', 4], ['b', 4]]);
    assert.ok(records[4]?.kind === 'metric' && Number.isNaN(records[4].value));
  });
});
