import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type FakeApiServer, startFakeApiServer } from '../k8s/fakeApiServer.ts';
import type { PodStep } from '../k8s/podScripts.ts';
import { waitFor } from '../tools/codeServer.ts';
import { type Session, contextMenu, openMLTrailView, runDetailsFrame, startSession, tableRows } from './workbench.ts';

// A training script that prints a protocol metric per step and waits for the test's go-ahead before the next one, so
// the test sees each point arrive while the run is still running.
const TRAIN_PY = `import json
import os
import sys
import time


def log_metric(name, step, value):
    print(json.dumps({"mltrail": "metric", "name": name, "step": step, "value": value}), flush=True)


if __name__ == "__main__":
    steps = int(sys.argv[sys.argv.index("--steps") + 1])
    for step in range(steps):
        log_metric("loss", step, round(1.0 / (step + 1), 4))
        print(f"step {step} done", flush=True)
        while not os.path.exists(f"go-{step}"):
            time.sleep(0.05)
`;

const FINETUNE_PY = `from mltrail_log import log_metric

if __name__ == "__main__":
    log_metric("loss", 0, 0.5)
`;

function writeWorkspace(folder: string, kubeconfig: string): void {
  const config = {
    version: 1,
    keyMetric: 'loss',
    jobs: {
      train: { script: 'train.py', command: ['python3', 'train.py', '--steps', '{steps}'], params: { steps: 3 }, experiment: 'training' },
      finetune: { script: 'finetune.py', experiment: 'training', resources: { gpus: 4, gpuType: 'NVIDIA-H100-80GB-HBM3' }, kubernetes: { context: 'fake', image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime' } },
    },
  };
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(folder, 'train.py'), TRAIN_PY);
  fs.writeFileSync(path.join(folder, 'finetune.py'), FINETUNE_PY);
  fs.mkdirSync(path.join(folder, '.vscode'));
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'mltrail.kubernetes.kubeconfig': kubeconfig }));
}

/** The cluster has no node with four free GPUs: the scheduler leaves every pod Pending. */
const UNSCHEDULABLE: PodStep[] = [{ kind: 'unschedulable' }];

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input');
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`);
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label^="${name}"]`).waitFor();
}

function paneRow(page: Page, pane: string, labelStart: string) {
  return page.locator(`.pane:has(.pane-header[aria-label^="${pane}"]) .monaco-list-row[aria-label^="${labelStart}"]`).first();
}

describe('Jobs: a training script launched from its CodeLens, followed live', () => {
  let session: Session;
  let folder: string;
  let cluster: FakeApiServer;

  before(async () => {
    cluster = await startFakeApiServer({ controller: { chooseScript: () => UNSCHEDULABLE }, bookmarkIntervalMs: 1_000 });
    cluster.controller.autoAdvance(100);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-jobs-'));
    writeWorkspace(folder, cluster.kubeconfigPath);
    session = await startSession({ workspace: folder, logName: 'jobs' });
  });

  after(async () => {
    // A failed test may leave train.py waiting for its go-ahead: let it finish.
    for (const step of [0, 1, 2]) fs.writeFileSync(path.join(folder, `go-${step}`), '');
    await session?.screenshot('jobs-last');
    await session?.close();
    await cluster?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('runs train.py from "Run locally" and shows each metric in the run details as the script prints it', async () => {
    const { page } = session;
    await openMLTrailView(page);
    await openFile(page, 'train.py');
    const runLocally = page.locator('.codelens-decoration a', { hasText: 'Run locally' }).first();
    await runLocally.waitFor({ timeout: 30_000 });
    await session.screenshot('jobs-01-codelens');
    await runLocally.click();

    const runs = path.join(folder, '.mltrail', 'runs');
    const runId = await waitFor(() => fs.existsSync(runs) && fs.readdirSync(runs)[0], 30_000, 'the run to be recorded');
    const header = page.locator('.pane-header[aria-label^="Jobs"]');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const jobRow = paneRow(page, 'Jobs', 'train');
    await jobRow.waitFor({ timeout: 30_000 });
    await waitFor(async () => /running/i.test((await jobRow.getAttribute('aria-label')) ?? ''), 20_000, 'the Jobs view to show the run running');
    await session.screenshot('jobs-02-running');

    await jobRow.click();
    const frame = await runDetailsFrame(page, 'train', 30_000);
    assert.equal(await frame.$eval('.status', (element) => element.getAttribute('data-status')), 'running');
    await waitFor(async () => (await tableRows(frame, 'Metrics')).some(([name, last, step]) => name === 'loss' && last === '1' && step === '0'), 45_000, 'the first loss point');
    fs.writeFileSync(path.join(folder, 'go-0'), '');
    await waitFor(async () => (await tableRows(frame, 'Metrics')).some(([name, last, step]) => name === 'loss' && last === '0.5' && step === '1'), 45_000, 'the second loss point, live');
    assert.equal(await frame.$eval('.status', (element) => element.getAttribute('data-status')), 'running', 'the run is still running while its points arrive');
    await session.screenshot('jobs-03-live-metrics');

    fs.writeFileSync(path.join(folder, 'go-1'), '');
    fs.writeFileSync(path.join(folder, 'go-2'), '');
    await waitFor(async () => (await frame.$eval('.status', (element) => element.getAttribute('data-status'))) === 'finished', 45_000, 'the run to finish');
    const metrics = await tableRows(frame, 'Metrics');
    const loss = metrics.find(([name]) => name === 'loss');
    assert.deepEqual(loss?.slice(0, 3), ['loss', '0.3333', '2']);
    assert.match(fs.readFileSync(path.join(runs, runId as string, 'logs.txt'), 'utf8'), /step 2 done/);
    await waitFor(async () => /finished/i.test((await jobRow.getAttribute('aria-label')) ?? ''), 20_000, 'the Jobs view to show the run finished');
    await session.screenshot('jobs-04-finished');
    assert.deepEqual(session.problems, []);
  });

  it('launches a GPU job on the cluster from its CodeLens, says why it cannot be scheduled, and cancels it leaving no pods', async () => {
    const { page } = session;
    await page.locator('.tab[aria-label^="train.py"]').click();
    await page.locator('.codelens-decoration a', { hasText: 'Last run: loss=0.3333' }).first().waitFor({ timeout: 20_000 });
    await openFile(page, 'finetune.py');
    const runOnCluster = page.locator('.codelens-decoration a', { hasText: 'Run on fake (4× GPU)' }).first();
    await runOnCluster.waitFor({ timeout: 30_000 });
    await session.screenshot('jobs-05-kubernetes-codelens');
    await runOnCluster.click();

    const notification = page.locator('.notification-list-item', { hasText: 'Insufficient nvidia.com/gpu' });
    await notification.waitFor({ timeout: 30_000 });
    assert.match((await notification.textContent()) ?? '', /Unschedulable/);
    const jobRow = paneRow(page, 'Jobs', 'finetune');
    await jobRow.waitFor({ timeout: 20_000 });
    await waitFor(async () => /queued.*on Kubernetes context fake.*4 GPUs.*Unschedulable/i.test((await jobRow.getAttribute('aria-label')) ?? ''), 20_000, 'the Jobs view to show the run queued and why');
    const [job] = cluster.store.list('jobs', 'default');
    const podSpec = (job?.spec as { template: { spec: { containers: Array<{ resources: { limits: Record<string, string> } }>; nodeSelector: Record<string, string> } } }).template.spec;
    assert.equal(podSpec.containers[0]?.resources.limits['nvidia.com/gpu'], '4');
    assert.equal(podSpec.nodeSelector['nvidia.com/gpu.product'], 'NVIDIA-H100-80GB-HBM3');
    await session.screenshot('jobs-06-unschedulable');

    await contextMenu(page, jobRow, 'Cancel Job');
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Cancel Job' });
    if (await confirm.isVisible().catch(() => false)) await confirm.click();
    await waitFor(() => cluster.store.list('jobs', 'default').length === 0 && cluster.store.list('pods', 'default').length === 0, 20_000, 'the Job and its pods to be deleted');
    await waitFor(async () => /killed/i.test((await jobRow.getAttribute('aria-label')) ?? ''), 20_000, 'the Jobs view to show the run killed');
    const experiment = paneRow(page, 'Experiments', 'training');
    await waitFor(async () => !/running/i.test((await experiment.getAttribute('aria-label')) ?? 'running'), 20_000, 'the store to record the end: no run of the experiment still running');
    await session.screenshot('jobs-07-cancelled');
    assert.deepEqual(session.problems, []);
  });
});
