import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RunIndex } from '../../src/runs/runIndex.ts';
import { tempDir } from '../support/tempStore.ts';

const docs = path.resolve(import.meta.dirname, '../../docs');

/** Debian's python3 first: the pyenv one on PATH may be a shim. Any python3 will do. */
const INTERPRETERS: Record<string, { candidates: string[]; probe: string[] }> = {
  sh: { candidates: ['/bin/sh'], probe: ['-c', 'exit 0'] },
  python: { candidates: ['/usr/bin/python3', 'python3'], probe: ['--version'] },
  r: { candidates: ['Rscript'], probe: ['--version'] },
};

function findInterpreter(language: string): string | undefined {
  const interpreter = INTERPRETERS[language];
  return interpreter?.candidates.find((candidate) => spawnSync(candidate, interpreter.probe, { stdio: 'ignore' }).status === 0);
}

async function runsAfter(language: string, script: string, args: (store: string) => string[]) {
  const interpreter = findInterpreter(language) as string;
  const folder = tempDir();
  const file = path.join(folder, `script.${language}`);
  fs.writeFileSync(file, script);
  const result = spawnSync(interpreter, [file, ...args(path.join(folder, '.mltrail'))], { cwd: folder, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const index = new RunIndex({ storeDir: path.join(folder, '.mltrail'), useCache: false });
  await index.load();
  return { runs: index.list(), problems: index.problems() };
}

/** The fenced code blocks of a Markdown file between two headings. */
function snippets(file: string, from: string, to: string): Array<{ language: string; code: string }> {
  const markdown = fs.readFileSync(file, 'utf8');
  const section = markdown.slice(markdown.indexOf(from), markdown.indexOf(to));
  return [...section.matchAll(/```(sh|python|r)\n([\s\S]*?)```/g)].map((match) => ({ language: match[1] as string, code: match[2] as string }));
}

describe('writer examples need nothing but the language', () => {
  for (const [language, file] of [['sh', 'log_run.sh'], ['python', 'log_run.py'], ['r', 'log_run.R']] as const) {
    const missing = findInterpreter(language) ? false : `no ${language} interpreter on this machine (CI installs one)`;
    it(`docs/examples/${file} records a finished run with params and metrics`, { skip: missing }, async () => {
      const { runs, problems } = await runsAfter(language, fs.readFileSync(path.join(docs, 'examples', file), 'utf8'), (store) => [store]);
      assert.deepEqual(problems, []);
      assert.equal(runs.length, 1);
      const run = runs[0];
      assert.equal(run?.status, 'finished');
      assert.ok(Object.keys(run?.params ?? {}).length >= 2);
      assert.equal(run?.metrics['train/loss']?.count, 5);
      assert.equal(run?.metrics['train/loss']?.last, 0.2);
      assert.match(run?.id ?? '', /^\d{8}-\d{6}-[0-9a-f]{6}$/);
    });
  }

  const documented = [
    ...snippets(path.join(docs, 'store-format.md'), '## Writers in three languages', '## `mltrail runs --json`').map((snippet) => ({ ...snippet, where: 'store-format.md', points: 3 })),
    ...snippets(path.join(docs, '..', 'README.md'), '## Record a run from any language', '## The CLI').map((snippet) => ({ ...snippet, where: 'README.md', points: 100 })),
  ];
  it('the documentation shows one snippet per language, and the README a Python one', () => {
    assert.deepEqual(documented.map((snippet) => `${snippet.where}:${snippet.language}`), ['store-format.md:sh', 'store-format.md:python', 'store-format.md:r', 'README.md:python']);
  });
  for (const { language, code, where, points } of documented) {
    const missing = findInterpreter(language) ? false : `no ${language} interpreter on this machine (CI installs one)`;
    it(`the ${language} snippet in ${where} records a finished run`, { skip: missing }, async () => {
      const { runs, problems } = await runsAfter(language, code, () => []);
      assert.deepEqual(problems, []);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.status, 'finished');
      assert.equal(runs[0]?.metrics['train/loss']?.count, points);
    });
  }
});
