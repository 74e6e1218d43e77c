import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitFor } from '../tools/codeServer.ts';
import { seededRandom } from '../support/tempStore.ts';
import { type Session, contextMenu, openMLTrailView, runCommand, startSession, webviewFrame } from './workbench.ts';

interface FakeRun {
  id: string;
  name: string;
  accuracy: number;
}

const RUNS: FakeRun[] = [
  { id: '20261120-100000-aaaaaa', name: 'baseline', accuracy: 0.9 },
  { id: '20261120-110000-bbbbbb', name: 'smaller-lr', accuracy: 0.8 },
  { id: '20261120-120000-cccccc', name: 'augmented', accuracy: 0.95 },
];

function writeWorkspace(folder: string): void {
  fs.writeFileSync(
    path.join(folder, 'mltrail.json'),
    JSON.stringify({ version: 1, datasets: { train: { path: 'data/train.csv', description: 'Training split' }, live: { path: 'data/live.csv' } }, models: { classifier: { path: 'out/model.pt', metric: 'val/acc', goal: 'max' } } }, null, 2),
  );
  const random = seededRandom(8);
  const table = (shift: number) => ['amount,channel', ...Array.from({ length: 800 }, (_, row) => `${(random() * 50 + shift).toFixed(2)},${['web', 'store', 'phone'][row % 3]}`)].join('\n');
  fs.mkdirSync(path.join(folder, 'data'));
  fs.writeFileSync(path.join(folder, 'data', 'train.csv'), table(0));
  fs.writeFileSync(path.join(folder, 'data', 'live.csv'), table(20));
  fs.mkdirSync(path.join(folder, 'out'));
  fs.writeFileSync(path.join(folder, 'out', 'model.pt'), 'weights v1');
  for (const run of RUNS) {
    const dir = path.join(folder, '.mltrail', 'runs', run.id);
    fs.mkdirSync(dir, { recursive: true });
    const time = `${run.id.slice(0, 4)}-${run.id.slice(4, 6)}-${run.id.slice(6, 8)}T${run.id.slice(9, 11)}:00:00Z`;
    fs.writeFileSync(path.join(dir, 'run.jsonl'), [{ type: 'start', name: run.name, experiment: 'classifier', time }, { type: 'params', values: { lr: 0.01 } }, { type: 'input', dataset: 'train', version: 1 }, { type: 'end', status: 'finished', time }].map((record) => JSON.stringify(record)).join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), [1, 2, 3].map((step) => JSON.stringify({ name: 'val/acc', step, value: run.accuracy - (3 - step) * 0.01 })).join('\n') + '\n');
  }
}

async function expandPane(page: Page, name: string): Promise<void> {
  const header = page.locator(`.pane-header[aria-label^="${name}"]`);
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

function paneRow(page: Page, pane: string, labelStart: string): Locator {
  return page.locator(`.pane:has(.pane-header[aria-label^="${pane}"]) .monaco-list-row[aria-label^="${labelStart}"]`).first();
}

async function dialogButton(page: Page, label: string): Promise<void> {
  const button = page.locator('.monaco-dialog-box .monaco-button', { hasText: label });
  await button.waitFor();
  await button.click();
}

async function quickPick(page: Page, text: string): Promise<void> {
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input');
  await page.keyboard.type(text);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${text}"]`);
  await page.keyboard.press('Enter');
}

describe('Datasets and the model registry: snapshots, drift between dataset versions, the promotion gate and rollback', () => {
  let session: Session;
  let folder: string;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-registry-'));
    writeWorkspace(folder);
    session = await startSession({ workspace: folder, logName: 'registry' });
  });

  after(async () => {
    await session?.screenshot('registry-last');
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('snapshots both datasets from the Datasets view and checks drift between their versions', async () => {
    const { page } = session;
    await openMLTrailView(page);
    await expandPane(page, 'Datasets');
    const train = paneRow(page, 'Datasets', 'train');
    await train.waitFor({ timeout: 30_000 });
    await contextMenu(page, train, 'Snapshot Dataset Version…');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title:has-text("Snapshot train")');
    await page.keyboard.type('first export');
    await page.keyboard.press('Enter');
    await page.locator('.notification-list-item', { hasText: 'train: recorded v1' }).waitFor({ timeout: 30_000 });
    await runCommand(page, 'MLTrail: Snapshot Dataset Version…');
    // The palette's own input stays up for a moment: wait for the dataset pick before typing into it.
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input[placeholder="Dataset to snapshot"]');
    await quickPick(page, 'live');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title:has-text("Snapshot live")');
    await page.keyboard.press('Enter');
    await page.locator('.notification-list-item', { hasText: 'live: recorded v1' }).waitFor({ timeout: 30_000 });
    // Again, from the row's inline button: the content is the same, so nothing new is recorded.
    await train.hover();
    await train.locator('.action-label[aria-label="Snapshot Dataset Version…"]').click();
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title:has-text("Snapshot train")');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    assert.equal(fs.readFileSync(path.join(folder, '.mltrail', 'datasets', 'train.jsonl'), 'utf8').trim().split('\n').length, 1, 'the same content makes no new version');
    // Room for both datasets' versions: fold the Experiments view away for a moment.
    await page.click('.pane-header[aria-label^="Experiments"]');
    await train.click();
    await paneRow(page, 'Datasets', 'live').click();
    const trainVersion = paneRow(page, 'Datasets', 'v1');
    await trainVersion.waitFor();
    assert.match((await trainVersion.textContent()) ?? '', /800 rows/);
    assert.match((await trainVersion.textContent()) ?? '', /3 runs/, 'the three runs that read train v1');
    await session.screenshot('registry-01-datasets');
    const liveVersion = page.locator('.pane:has(.pane-header[aria-label^="Datasets"]) .monaco-list-row[aria-label^="v1"]').nth(1);
    await trainVersion.click();
    await liveVersion.click({ modifiers: ['Control'] });
    await contextMenu(page, liveVersion, 'Check Data Drift…');
    const frame = await webviewFrame(page, '#verdict.drift, #verdict.ok', 60_000);
    assert.match((await frame.textContent('h1')) ?? '', /train@v1.*→.*live@v1/);
    assert.match((await frame.textContent('#verdict')) ?? '', /Drift in 1 of 2 columns/);
    await paneRow(page, 'Datasets', 'Drift Reports').waitFor({ timeout: 10_000 });
    await session.screenshot('registry-01b-drift-from-datasets');
    await page.click('.pane-header[aria-label^="Experiments"]');
  });

  it('registers versions from runs, promotes through the gate, sees it refuse a worse one, and rolls back', async () => {
    const { page } = session;
    await expandPane(page, 'Models');
    const register = async (run: FakeRun, expectedVersion: number) => {
      const experiment = paneRow(page, 'Experiments', 'classifier');
      if ((await experiment.getAttribute('aria-expanded')) !== 'true') await experiment.click();
      const row = paneRow(page, 'Experiments', run.name);
      await row.waitFor({ timeout: 20_000 });
      await contextMenu(page, row, 'Register Model Version…');
      await page.locator('.notification-list-item', { hasText: `registered classifier v${expectedVersion}` }).waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');
    };
    const promoteTo = async (version: number, stage: string) => {
      const row = paneRow(page, 'Models', `v${version}`);
      await row.waitFor({ timeout: 10_000 });
      await contextMenu(page, row, 'Promote Model Version…');
      await quickPick(page, stage);
    };
    const description = async (version: number) => (await paneRow(page, 'Models', `v${version}`).textContent()) ?? '';

    await register(RUNS[0] as FakeRun, 1);
    await promoteTo(1, 'production');
    await waitFor(async () => /production/.test(await description(1)), 10_000, 'v1 in production');

    await register(RUNS[1] as FakeRun, 2);
    await promoteTo(2, 'production');
    const refusal = page.locator('.monaco-dialog-box');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /0\.8.*0\.9|0\.9.*0\.8/, 'the refusal names both values');
    await session.screenshot('registry-02-gate-refuses');
    await dialogButton(page, 'Cancel');
    await page.waitForTimeout(700);
    assert.doesNotMatch(await description(2), /production/);

    await register(RUNS[2] as FakeRun, 3);
    await promoteTo(3, 'production');
    await waitFor(async () => /production/.test(await description(3)) && /archived/.test(await description(1)), 10_000, 'v3 in production, v1 archived');

    await contextMenu(page, paneRow(page, 'Models', 'classifier'), 'Roll Back Model…');
    await dialogButton(page, 'Roll Back');
    await waitFor(async () => /production/.test(await description(1)) && /archived/.test(await description(3)), 10_000, 'v1 back in production');

    await paneRow(page, 'Models', 'v1').click();
    const card = await webviewFrame(page, '#stage', 30_000);
    await card.waitForSelector('#stage:has-text("production")');
    const history = await card.$$eval('table[aria-label^="Stage history"] tbody tr', (rows) => rows.map((row) => row.children[1]?.textContent));
    assert.deepEqual(history, ['none → production', 'production → archived', 'archived → production']);
    await session.screenshot('registry-03-model-card');

    fs.writeFileSync(path.join(folder, 'out', 'model.pt'), 'weights retrained');
    await runCommand(page, 'MLTrail: Refresh Models');
    await waitFor(async () => /artifact changed/.test(await description(1)), 20_000, 'the changed artifact flagged');
    assert.deepEqual(session.problems, []);
  });
});
