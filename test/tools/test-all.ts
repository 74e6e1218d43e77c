// `npm test`: every test, in order. Type checks, the bundles, unit tests (Node's test runner, the core), the
// .vsix, integration suites inside a real VS Code (code-server), end-to-end tests in headless Chromium.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromiumPath, ensureCodeServer, repoRoot } from './toolchain.ts';

interface Stage {
  name: string;
  command: string[];
  /** A failed required stage stops the run: nothing after it would mean anything. */
  required: boolean;
}

const npx = (tool: string, ...args: string[]) => [path.join(repoRoot, 'node_modules', '.bin', tool), ...args];
const node = (...args: string[]) => [process.execPath, ...args];

const stages: Stage[] = [
  { name: 'type check', command: npx('tsc', '-p', 'tsconfig.json'), required: true },
  { name: 'type check (webviews)', command: npx('tsc', '-p', 'webviews/tsconfig.json'), required: true },
  { name: 'type check (e2e)', command: npx('tsc', '-p', 'test/e2e/tsconfig.json'), required: true },
  { name: 'build', command: node('esbuild.js'), required: true },
  { name: 'unit tests', command: node('--test', '--test-reporter=spec', 'test/unit/**/*.test.ts'), required: false },
  { name: 'package .vsix', command: ['npm', 'run', 'package'], required: true },
  { name: 'integration tests (code-server)', command: node('test/tools/integration.ts'), required: false },
  { name: 'end-to-end tests (Chromium + code-server)', command: node('test/tools/e2e.ts'), required: false },
];

// Fail early, with the fix, when a browser test could not start.
chromiumPath();
ensureCodeServer();

const results: Array<{ name: string; ok: boolean; seconds: number }> = [];
for (const stage of stages) {
  process.stdout.write(`\n━━ ${stage.name} ━━\n`);
  const started = Date.now();
  const [command, ...args] = stage.command as [string, ...string[]];
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  const ok = result.status === 0;
  results.push({ name: stage.name, ok, seconds: Math.round((Date.now() - started) / 100) / 10 });
  if (!ok && stage.required) break;
}

process.stdout.write('\n━━ summary ━━\n');
for (const result of results) process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'}  ${result.name} (${result.seconds}s)\n`);
const skipped = stages.slice(results.length);
for (const stage of skipped) process.stdout.write(`SKIP  ${stage.name} (an earlier required stage failed)\n`);
const vsix = path.join(repoRoot, 'out', 'mltrail.vsix');
if (fs.existsSync(vsix)) process.stdout.write(`\n.vsix: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KB; screenshots: test-results/screenshots/\n`);
process.exitCode = results.every((result) => result.ok) && skipped.length === 0 ? 0 : 1;
