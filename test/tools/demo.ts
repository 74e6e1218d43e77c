// `npm run demo`: builds and packages MLTrail, generates a demo workspace (experiments with realistic training
// curves, a few runs still running and appending), and opens it in code-server at http://127.0.0.1:8080 with
// MLTrail installed. Ctrl-C stops it; the live runs then end as "killed".
// `--workspace-only` only (re)generates demo-workspace/ (used by the F5 launch configuration).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appendLines } from '../../src/platform/atomicFile.ts';
import { metricLine } from '../../src/runs/runWriter.ts';
import { generateWorkspace } from '../workspace/generateWorkspace.ts';
import { ensureCodeServer, node24BinDir, repoRoot, run, toolsDir } from './toolchain.ts';

const PORT = Number(process.env.MLTRAIL_DEMO_PORT ?? 8080);
const workspace = path.join(repoRoot, 'demo-workspace');
const LIVE_STEP_MS = 1_000;

function createWorkspace(): ReturnType<typeof generateWorkspace> {
  fs.rmSync(workspace, { recursive: true, force: true });
  const runs = generateWorkspace(workspace, {
    runs: 240,
    experiments: ['resnet-baseline', 'vit-finetune', 'augmentation', 'lr-sweep', 'distillation'],
    steps: 60,
    seed: 42,
    malformedRun: true,
    liveRuns: 3,
    config: { version: 1, store: '.mltrail', keyMetric: 'val/loss', datasets: {}, models: {}, jobs: {} },
  });
  fs.writeFileSync(
    path.join(workspace, 'train.py'),
    '"""A training script would write its run here; see docs/store-format.md for the format."""\n',
  );
  return runs;
}

/** Appends a realistic point per metric every second to each live run, like a training loop would. */
function keepRunsAlive(runs: ReturnType<typeof generateWorkspace>): () => void {
  const live = runs.filter((run) => run.status === 'running');
  let step = 0;
  const timer = setInterval(() => {
    for (const [index, run] of live.entries()) {
      const progress = step / 600;
      const loss = 0.15 + 2 * Math.exp(-4 * progress * (1 + index * 0.3)) + (Math.random() - 0.5) * 0.03;
      appendLines(path.join(workspace, '.mltrail', 'runs', run.id, 'metrics.jsonl'), [
        metricLine({ name: 'train/loss', step, value: loss, time: Date.now() }),
        metricLine({ name: 'val/loss', step, value: loss * 1.1 + 0.02, time: Date.now() }),
        metricLine({ name: 'val/acc', step, value: Math.min(0.99, 0.1 + 0.85 * (1 - Math.exp(-3 * progress))), time: Date.now() }),
      ]);
    }
    step += 1;
  }, LIVE_STEP_MS);
  return () => {
    clearInterval(timer);
    for (const run of live) {
      appendLines(path.join(workspace, '.mltrail', 'runs', run.id, 'run.jsonl'), [JSON.stringify({ type: 'end', time: Date.now(), status: 'killed', exitCode: 130 })]);
    }
  };
}

const runs = createWorkspace();
if (process.argv.includes('--workspace-only')) {
  console.log(`Demo workspace: ${workspace}`);
  process.exit(0);
}

run('npm', ['run', 'package']);
const codeServer = ensureCodeServer();
const home = path.join(toolsDir, 'demo-code-server');
const userDataDir = path.join(home, 'user-data');
const extensionsDir = path.join(home, 'extensions');
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
const demoSettings = {
  'workbench.startupEditor': 'none',
  'workbench.colorTheme': 'Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'chat.disableAIFeatures': true,
  // demo-workspace/ sits inside this repository: no prompt to open the parent's git repository.
  'git.openRepositoryInParentFolders': 'never',
};
fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(demoSettings, null, 2));
const env = { ...process.env, PATH: `${node24BinDir()}${path.delimiter}${process.env.PATH ?? ''}` };
const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', path.join(home, 'config.yaml')];
fs.writeFileSync(path.join(home, 'config.yaml'), 'auth: none\ncert: false\n');
const installed = spawnSync(codeServer, [...common, '--install-extension', path.join(repoRoot, 'out', 'mltrail.vsix'), '--force'], { env, stdio: 'inherit' });
if (installed.status !== 0) throw new Error('installing the .vsix into code-server failed');

const stopLiveRuns = keepRunsAlive(runs);
const server = spawn(codeServer, [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${PORT}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace], { env, stdio: ['ignore', 'pipe', 'pipe'] });
server.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
server.stdout.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('HTTP server listening')) {
    console.log(`\nMLTrail demo: open http://127.0.0.1:${PORT}/?folder=${encodeURIComponent(workspace)}`);
    console.log('Three runs are appending metrics live. Press Ctrl-C to stop (they then end as "killed").\n');
  }
});
const shutdown = () => {
  stopLiveRuns();
  server.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.on('exit', (code) => {
  stopLiveRuns();
  process.exit(code ?? 1);
});
