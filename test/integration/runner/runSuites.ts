// Runs the bundled mocha suites in the extension host this module is loaded in, and reports each test.
import fs from 'node:fs';
import path from 'node:path';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface SuitesResult {
  tests: TestOutcome[];
  passes: number;
  failures: number;
  pending: number;
}

interface MochaTest {
  fullTitle(): string;
  duration?: number;
}

/** `mochaModule` is where mocha is (code-server: the repository's copy, named by the harness). */
export function runSuites(suitesDir: string, only: string[] | undefined, mochaModule: string): Promise<SuitesResult> {
  const Mocha = require(mochaModule);
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: Mocha.reporters.Base });
  const files = fs.readdirSync(suitesDir).filter((file) => file.endsWith('.test.cjs')).filter((file) => !only || only.includes(file.replace(/\.test\.cjs$/, '')));
  if (files.length === 0) throw new Error(`no suites to run in ${suitesDir} (only: ${only?.join(', ')})`);
  for (const file of files.sort()) mocha.addFile(path.join(suitesDir, file));
  const tests: TestOutcome[] = [];
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      resolve({
        tests,
        passes: tests.filter((test) => test.state === 'passed').length,
        failures: tests.filter((test) => test.state === 'failed').length,
        pending: tests.filter((test) => test.state === 'pending').length,
      });
    });
    runner.on('pass', (test: MochaTest) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 }));
    runner.on('fail', (test: MochaTest, error: Error) => tests.push({ title: test.fullTitle(), state: 'failed', error: error.stack ?? String(error) }));
    runner.on('pending', (test: MochaTest) => tests.push({ title: test.fullTitle(), state: 'pending' }));
  });
}
