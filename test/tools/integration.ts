// Runs the mocha integration suites inside a real VS Code (code-server) with the packaged MLTrail installed,
// once in a single-folder workspace and once in a multi-root one. `--electron` runs the same suites under
// @vscode/test-electron instead (machines that can download VS Code).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateWorkspace } from '../workspace/generateWorkspace.ts';
import { openWorkbench, startCodeServer, waitFor } from './codeServer.ts';
import { repoRoot, run } from './toolchain.ts';

const runnerDir = path.join(repoRoot, 'test', 'integration', 'runner');
const suitesDir = path.join(repoRoot, 'test', 'integration', 'suites');
const mltrailVsix = path.join(repoRoot, 'out', 'mltrail.vsix');
const runnerVsix = path.join(repoRoot, 'out', 'mltrail-test-runner.vsix');

interface Outcome {
  tests: Array<{ title: string; state: string; error?: string; durationMs?: number }>;
  passes: number;
  failures: number;
  pending: number;
  error?: string;
}

async function buildRunner(): Promise<void> {
  fs.rmSync(path.join(runnerDir, 'dist'), { recursive: true, force: true });
  const suites = fs.readdirSync(suitesDir).filter((file) => file.endsWith('.test.ts'));
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node22.19', external: ['vscode', 'mocha'], logLevel: 'warning' as const, outExtension: { '.js': '.cjs' } };
  await esbuild.build({ ...common, entryPoints: { runner: path.join(runnerDir, 'runner.ts'), testElectron: path.join(runnerDir, 'testElectron.ts') }, outdir: path.join(runnerDir, 'dist') });
  await esbuild.build({ ...common, entryPoints: Object.fromEntries(suites.map((file) => [file.replace(/\.ts$/, ''), path.join(suitesDir, file)])), outdir: path.join(runnerDir, 'dist', 'suites') });
  fs.mkdirSync(path.dirname(runnerVsix), { recursive: true });
  run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', runnerVsix], { cwd: runnerDir });
}

function singleFolderWorkspace(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-integration-'));
  generateWorkspace(folder, { runs: 40, experiments: ['baseline', 'augmented'], steps: 12, seed: 3, config: { version: 1, store: '.mltrail', keyMetric: 'val/loss' } });
  return folder;
}

function multiRootWorkspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-multiroot-'));
  for (const [name, experiment, seed] of [['alpha', 'alpha-exp', 5], ['beta', 'beta-exp', 5]] as const) {
    generateWorkspace(path.join(root, name), { runs: 4, experiments: [experiment], steps: 3, seed, config: { version: 1 } });
  }
  fs.mkdirSync(path.join(root, 'gamma'));
  const file = path.join(root, 'three.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }, { path: 'gamma' }] }));
  return file;
}

async function runSession(label: string, workspace: string, suites: string[]): Promise<Outcome> {
  const resultFile = path.join(os.tmpdir(), `mltrail-integration-${process.pid}-${label}.json`);
  fs.rmSync(resultFile, { force: true });
  const server = await startCodeServer({
    workspace,
    vsixes: [mltrailVsix, runnerVsix],
    env: { MLTRAIL_TEST_RESULT: resultFile, MLTRAIL_TEST_MOCHA: path.join(repoRoot, 'node_modules', 'mocha'), MLTRAIL_TEST_SUITES: suites.join(',') },
  });
  const workbench = await openWorkbench(server);
  try {
    await waitFor(() => fs.existsSync(resultFile), 300_000, `the ${label} suites to finish`, 250);
    return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Outcome;
  } catch (error) {
    process.stderr.write(server.output().slice(-4000));
    throw error;
  } finally {
    await workbench.close();
    await server.stop();
    fs.rmSync(resultFile, { force: true });
  }
}

function report(label: string, outcome: Outcome): boolean {
  console.log(`\n${label}`);
  for (const test of outcome.tests) {
    const mark = test.state === 'passed' ? '✔' : test.state === 'failed' ? '✖' : '-';
    console.log(`  ${mark} ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
  if (outcome.error) console.log(outcome.error);
  console.log(`  ${outcome.passes} passed, ${outcome.failures} failed, ${outcome.pending} pending`);
  return outcome.failures === 0 && outcome.pending === 0 && outcome.passes > 0 && !outcome.error;
}

async function runElectron(): Promise<boolean> {
  const { runTests } = await import('@vscode/test-electron');
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(runnerDir, 'dist', 'testElectron.cjs'),
    launchArgs: [singleFolderWorkspace(), '--disable-extensions'],
    extensionTestsEnv: { MLTRAIL_TEST_SUITES: 'activation,experimentsView,jobs,liveUpdates,runCommands,config,compare,drift' },
  });
  return true;
}

await buildRunner();
if (!fs.existsSync(mltrailVsix)) run('npm', ['run', 'package']);
let ok: boolean;
if (process.argv.includes('--electron')) {
  ok = await runElectron();
} else {
  const single = await runSession('single folder', singleFolderWorkspace(), ['activation', 'experimentsView', 'jobs', 'liveUpdates', 'runCommands', 'config', 'compare', 'drift']);
  const multi = await runSession('multi-root', multiRootWorkspace(), ['multiRoot']);
  ok = [report('Integration (code-server, single folder)', single), report('Integration (code-server, multi-root)', multi)].every(Boolean);
}
process.exitCode = ok ? 0 : 1;
