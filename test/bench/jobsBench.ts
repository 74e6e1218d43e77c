// Kubernetes job figures for `npm run bench`, against the fake API server over HTTP with the real client: launch
// command to Job created, a pod status change to the Jobs view model, and a pod log line to the output channel (the
// tracker's onLog, which the channel appends to synchronously).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { JobDefinition } from '../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../src/jobs/jobParams.ts';
import { connectKubernetes } from '../../src/jobs/kubernetes/kubeContexts.ts';
import type { KubernetesRunView } from '../../src/jobs/kubernetes/kubernetesRun.ts';
import { trackKubernetesLaunch } from '../../src/jobs/kubernetes/kubernetesTracker.ts';
import { submitKubernetesJob } from '../../src/jobs/kubernetes/submitKubernetesJob.ts';
import { scanPythonSource } from '../../src/jobs/trainingScripts.ts';
import { startFakeApiServer } from '../k8s/fakeApiServer.ts';
import type { PodStep } from '../k8s/podScripts.ts';
import { repoRoot } from '../tools/toolchain.ts';

const execFileAsync = promisify(execFile);
const LAUNCHES = 15;
const probe = path.join(repoRoot, 'test', 'bench', 'probe.ts');
const bundle = path.join(repoRoot, 'dist', 'kubernetes.cjs');
const LOG_LINES = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const round = (value: number) => Math.round(value * 10) / 10;

function untilTrue(check: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve(performance.now());
      if (performance.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setImmediate(poll);
    };
    poll();
  });
}

/** The CodeLens's scan of a 1 MB Python file, ordinary and adversarial (strings full of "mltrail", never a record). */
function benchTrainingScriptScan(emit: (figure: Record<string, unknown>) => void): void {
  const body = 'def step(batch):\n    loss = model(batch)\n    print(f"loss {loss}")\n';
  const ordinary = 'import json\nimport mltrail_log\n' + body.repeat(Math.ceil(1_000_000 / body.length)) + 'if __name__ == "__main__":\n    main()\n';
  const noisyLine = 'print("' + 'mltrail '.repeat(20) + '")\nx = "mltrail"\ny = {"mltrail"}\n';
  const adversarial = noisyLine.repeat(Math.ceil(1_000_000 / noisyLine.length)) + 'if __name__ == "__main__":\n    main()\n';
  for (const [name, text] of [['jobs.trainingScriptScan1MB', ordinary], ['jobs.trainingScriptScan1MBAdversarial', adversarial]] as const) {
    const samples: number[] = [];
    for (let sample = 0; sample < 7; sample++) {
      const started = performance.now();
      scanPythonSource(text);
      samples.push(performance.now() - started);
    }
    emit({ name, value: round(median(samples)), unit: 'ms', target: '<= 50', chars: text.length, samples: samples.map(round), note: 'what the CodeLens provider reads once per document version' });
  }
}

export async function benchJobs(emit: (figure: Record<string, unknown>) => void): Promise<void> {
  benchTrainingScriptScan(emit);
  // Every pod runs, waits for the bench's log lines while the controller is not advanced, then succeeds.
  const script: PodStep[] = [{ kind: 'running', logs: ['started'] }, { kind: 'succeeded' }];
  const server = await startFakeApiServer({ controller: { chooseScript: () => script }, bookmarkIntervalMs: 5_000 });
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-bench-jobs-'));
  const storeDir = path.join(folder, '.mltrail');
  const job: JobDefinition = { name: 'train', command: ['python', 'train.py'], params: { lr: 0.01 }, sweep: {}, env: {}, inputs: [], resources: { gpus: 1 }, kubernetes: { image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime' } };
  const source = { file: server.kubeconfigPath };
  try {
    const jobCreatedAt = new Map<string, number>();
    const unsubscribe = server.store.subscribe((change) => {
      if (change.type === 'ADDED' && change.object.kind === 'Job') jobCreatedAt.set(change.object.metadata.name, performance.now());
    });
    const launchMs: number[] = [];
    const statusMs: number[] = [];
    const logMs: number[] = [];
    for (let launch = 0; launch < LAUNCHES; launch++) {
      const started = performance.now();
      const connection = await connectKubernetes(undefined, source);
      const { placement } = await submitKubernetesJob({ connection, folder, storeDir, job, plans: planJobRuns(job) });
      launchMs.push((jobCreatedAt.get(placement.jobName) as number) - started);

      let views: KubernetesRunView[] = [];
      let logged = '';
      const tracking = trackKubernetesLaunch({ connection, storeDir, folder, placement, onChange: (next) => (views = next), onLog: (_runId, text) => (logged += text) });
      await untilTrue(() => views.length > 0, 'the first view');
      server.controller.advance();
      const runningChanged = performance.now();
      statusMs.push((await untilTrue(() => views[0]?.phase === 'running', 'running')) - runningChanged);
      await untilTrue(() => logged.includes('started'), 'the first log line');

      if (launch === 0) {
        const pod = server.store.list('pods', placement.namespace).find((candidate) => candidate.metadata.labels?.['job-name'] === placement.jobName || candidate.metadata.name.startsWith(placement.jobName));
        if (!pod) throw new Error('no pod for the bench Job');
        const container = (pod.spec as { containers: Array<{ name: string }> }).containers[0]?.name as string;
        for (let line = 0; line < LOG_LINES; line++) {
          const text = `bench line ${line}`;
          const appended = performance.now();
          server.logs.append(placement.namespace, pod.metadata.name, container, text, new Date());
          logMs.push((await untilTrue(() => logged.includes(`${text}\n`), text)) - appended);
        }
      }

      server.controller.advance();
      const succeededChanged = performance.now();
      statusMs.push((await untilTrue(() => views[0]?.phase === 'succeeded', 'succeeded')) - succeededChanged);
      await tracking.finished;
      tracking.stop();
    }
    unsubscribe();
    const warm = launchMs.slice(1);
    const cold: number[] = [];
    for (let sample = 0; sample < 5; sample++) {
      // Asynchronously: the fake API server answering the probe runs in this process.
      const { stdout } = await execFileAsync(process.execPath, [probe, 'kubernetes-launch', server.kubeconfigPath, folder, bundle], { encoding: 'utf8' });
      cold.push((JSON.parse(stdout.trim().split('\n').pop() as string) as { ms: number }).ms);
    }
    emit({ name: 'jobs.commandToJobCreated', value: round(median(warm)), unit: 'ms', target: '<= 300', samples: warm.map(round), note: 'kubeconfig read + connect + plan + Job POST until the fake API server stores it, the client already loaded' });
    emit({ name: 'jobs.firstCommandToJobCreated', value: round(median(cold)), unit: 'ms', target: '<= 300', samples: cold.map(round), note: 'the first launch of a window, in a fresh process: dist/kubernetes.cjs loaded, then the same' });
    emit({ name: 'jobs.podStatusToViewModel', value: round(median(statusMs)), unit: 'ms', target: '<= 500', max: round(Math.max(...statusMs)), transitions: statusMs.length, note: 'pod Pending→Running and Running→Succeeded in the fake, through one watch, to the tracker\'s view (what the Jobs view renders)' });
    emit({ name: 'jobs.logLineToOutputChannel', value: round(median(logMs)), unit: 'ms', target: '<= 200', max: round(Math.max(...logMs)), lines: logMs.length, note: 'a line appended to a running pod\'s log in the fake, through the followed log stream, to onLog (the output channel appends synchronously)' });
  } finally {
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
