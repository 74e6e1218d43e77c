// Entry for @vscode/test-electron (machines that can download VS Code): the same suites, in a desktop VS Code.
import path from 'node:path';
import { runSuites } from './runSuites.ts';

export async function run(): Promise<void> {
  const result = await runSuites(path.join(__dirname, 'suites'), process.env.MLTRAIL_TEST_SUITES?.split(','), 'mocha');
  for (const test of result.tests) console.log(`${test.state === 'passed' ? '✔' : test.state === 'failed' ? '✖' : '-'} ${test.title}${test.error ? `\n${test.error}` : ''}`);
  if (result.failures > 0) throw new Error(`${result.failures} integration test(s) failed`);
}
