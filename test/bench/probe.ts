// One measurement in a fresh process, printed as one JSON line; driven by bench.ts.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { appendLines } from '../../src/platform/atomicFile.ts';
import { RunIndex } from '../../src/runs/runIndex.ts';
import { metricLine } from '../../src/runs/runWriter.ts';
import { repoRoot } from '../tools/toolchain.ts';

const [task, ...args] = process.argv.slice(2);
const workerScript = path.join(repoRoot, 'dist', 'workers', 'runs.js');
const print = (result: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(result)}\n`);

switch (task) {
  case 'index': {
    const [store, flag] = args as [string, string | undefined];
    const index = new RunIndex({ storeDir: store, workerScript });
    const started = performance.now();
    const change = await index.load();
    const ms = performance.now() - started;
    if (flag === '--save-cache') await index.saveCache();
    print({ ms, runs: change.added.length, rssMiB: Math.round(process.memoryUsage().rss / 1048576) });
    break;
  }
  case 'live-append': {
    const [store, runId] = args as [string, string];
    const index = new RunIndex({ storeDir: store, workerScript });
    await index.load();
    const file = path.join(store, 'runs', runId, 'metrics.jsonl');
    const samples: number[] = [];
    let step = (index.get(runId)?.metrics['train/loss']?.step ?? 0) + 1;
    for (let round = 0; round < 30; round++) {
      appendLines(file, Array.from({ length: 100 }, () => metricLine({ name: 'train/loss', step: step++, value: Math.random() })));
      const started = performance.now();
      const change = index.refresh([runId]);
      samples.push(Math.round((performance.now() - started) * 100) / 100);
      if (change.updated.length !== 1 || index.get(runId)?.metrics['train/loss']?.step !== step - 1) throw new Error('the append was not indexed');
    }
    const sorted = [...samples].sort((a, b) => a - b);
    print({ medianMs: sorted[Math.floor(sorted.length / 2)] as number, rounds: samples.length, samples: samples as unknown as number });
    break;
  }
  case 'activate': {
    const [folder, bundle] = args as [string, string];
    const require = createRequire(import.meta.url);
    const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const stub = (require(path.join(repoRoot, 'test', 'bench', 'vscodeStub.cjs')) as (folder: string) => unknown)(folder);
    const originalLoad = Module._load;
    Module._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? stub : originalLoad(request, ...rest));
    const context = { subscriptions: [] as unknown[], workspaceState: { get: (_: string, fallback: unknown) => fallback, update: async () => undefined }, extensionUri: { fsPath: repoRoot }, asAbsolutePath: (relative: string) => path.join(repoRoot, relative) };
    if (!fs.existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build`);
    const started = performance.now();
    const extension = require(bundle) as { activate(context: unknown): unknown };
    extension.activate(context);
    print({ ms: performance.now() - started });
    // activate() leaves the timers a window keeps (CodeLens clock, store ticks): this process is done.
    process.exit(0);
  }
  case 'kubernetes-launch': {
    // The first launch of a window: the Kubernetes bundle loaded, the kubeconfig read, the Job submitted.
    const [kubeconfig, folder, bundle] = args as [string, string, string];
    const { planJobRuns } = await import('../../src/jobs/jobParams.ts');
    const job = { name: 'train', command: ['python', 'train.py'], params: {}, sweep: {}, env: {}, inputs: [], kubernetes: { image: 'python:3.12-slim' } };
    const started = performance.now();
    const kubernetes = createRequire(import.meta.url)(bundle) as typeof import('../../src/jobs/kubernetes/index.ts');
    const connection = await kubernetes.connectKubernetes(undefined, { file: kubeconfig });
    await kubernetes.submitKubernetesJob({ connection, folder, storeDir: path.join(folder, '.mltrail'), job, plans: planJobRuns(job) });
    print({ ms: performance.now() - started });
    // The client keeps its connection to the API server open: this process is done.
    process.exit(0);
  }
  default:
    throw new Error(`unknown probe task ${task}`);
}
