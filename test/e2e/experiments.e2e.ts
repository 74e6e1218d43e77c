import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatMetricValue, formatParamValue } from '../../src/platform/format.ts';
import { appendLines } from '../../src/platform/atomicFile.ts';
import { RunIndex } from '../../src/runs/runIndex.ts';
import { metricLine } from '../../src/runs/runWriter.ts';
import { waitFor } from '../tools/codeServer.ts';
import { type GeneratedRun, HOSTILE_EXPERIMENT, HOSTILE_NAME, HOSTILE_PARAM_KEY, HOSTILE_PARAM_VALUE, HOSTILE_TAG, generateWorkspace } from '../workspace/generateWorkspace.ts';
import { type Session, contextMenu, openMLTrailView, runRow, rowLabels, runDetailsFrame, setColorTheme, startSession, tableRows, treeRow } from './workbench.ts';

const EXPERIMENTS = ['resnet-baseline', 'vit-finetune', 'augmentation', 'lr-sweep', 'distillation'];

describe('Experiments view and run details, 10,000 runs, in code-server with the packaged .vsix', () => {
  let session: Session;
  let folder: string;
  let runs: GeneratedRun[];
  let index: RunIndex;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-'));
    runs = generateWorkspace(folder, {
      runs: 10_000,
      experiments: EXPERIMENTS,
      steps: 25,
      seed: 11,
      hostileRuns: true,
      malformedRun: true,
      liveRuns: 1,
      config: { version: 1, store: '.mltrail', keyMetric: 'val/loss' },
    });
    index = new RunIndex({ storeDir: path.join(folder, '.mltrail'), useCache: false });
    await index.load();
    session = await startSession({ workspace: folder });
  });

  after(async () => {
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('opens the MLTrail sidebar and lists the five experiments with their run counts', async () => {
    await openMLTrailView(session.page);
    await treeRow(session.page, 'resnet-baseline').waitFor({ timeout: 60_000 });
    const labels = await rowLabels(session.page);
    for (const experiment of EXPERIMENTS) {
      const count = runs.filter((run) => run.experiment === experiment).length;
      assert.ok(labels.some((label) => label.startsWith(`${experiment}: ${count.toLocaleString('en-US')} runs`)), `${experiment} in ${labels.join(' | ')}`);
    }
    await session.screenshot('01-experiments');
  });

  it('expands an experiment: its newest run first, with status and key metric', async () => {
    await treeRow(session.page, 'vit-finetune').click();
    const newest = runs.filter((run) => run.experiment === 'vit-finetune').at(-1) as GeneratedRun;
    const summary = index.get(newest.id);
    const row = treeRow(session.page, newest.name);
    await row.waitFor();
    const label = await row.getAttribute('aria-label');
    assert.equal(label?.startsWith(`${newest.name}, ${newest.status[0]?.toUpperCase()}${newest.status.slice(1)}, val/loss ${formatMetricValue(summary?.metrics['val/loss']?.last ?? Number.NaN)}`), true, label ?? '');
    await session.screenshot('02-experiment-expanded');
  });

  it('opens a run: the details webview shows its params and metrics', async () => {
    const run = runs.filter((candidate) => candidate.experiment === 'vit-finetune' && candidate.status === 'finished').at(-1) as GeneratedRun;
    await treeRow(session.page, run.name).click();
    const frame = await runDetailsFrame(session.page, run.name);
    const params = await tableRows(frame, 'Parameters');
    assert.deepEqual(params, Object.entries(run.params).map(([key, value]) => [key, formatParamValue(value)]));
    const metrics = await tableRows(frame, 'Metrics');
    const summary = index.get(run.id);
    assert.deepEqual(
      metrics,
      Object.entries(summary?.metrics ?? {}).map(([name, m]) => [name, formatMetricValue(m.last), String(m.step), formatMetricValue(m.min), formatMetricValue(m.max), String(m.count)]),
    );
    assert.equal(await frame.$eval('.status', (element) => element.getAttribute('data-status')), 'finished');
    assert.equal(await frame.$eval('.run-id', (element) => element.textContent), run.id);
    await session.screenshot('03-run-details');
  });

  it('acts from the details: Copy Run ID reaches the clipboard, metrics.jsonl opens in an editor', async () => {
    const run = runs.filter((candidate) => candidate.experiment === 'vit-finetune' && candidate.status === 'finished').at(-1) as GeneratedRun;
    const frame = await runDetailsFrame(session.page, run.name);
    await frame.locator('vscode-button', { hasText: 'Copy Run ID' }).click();
    await waitFor(async () => (await session.page.evaluate(() => navigator.clipboard.readText())) === run.id, 10_000, 'the run id on the clipboard');
    await frame.locator('vscode-button', { hasText: 'metrics.jsonl' }).click();
    const tab = session.page.locator('.tab[aria-label^="metrics.jsonl"]');
    await tab.waitFor({ timeout: 10_000 });
    await tab.click({ button: 'middle' });
    await tab.waitFor({ state: 'detached' });
  });

  it('shows hostile names, params and tags as text; nothing in them runs', async () => {
    await treeRow(session.page, HOSTILE_EXPERIMENT).click();
    const row = treeRow(session.page, HOSTILE_NAME);
    await row.waitFor();
    assert.equal(await row.locator('.label-name').textContent(), HOSTILE_NAME);
    await row.click();
    const frame = await runDetailsFrame(session.page, HOSTILE_NAME);
    assert.equal(await frame.$eval('.experiment', (element) => element.textContent), HOSTILE_EXPERIMENT);
    const params = await tableRows(frame, 'Parameters');
    assert.deepEqual(params[0], [HOSTILE_PARAM_KEY, HOSTILE_PARAM_VALUE]);
    assert.deepEqual(await tableRows(frame, 'Tags'), [['note', HOSTILE_TAG]]);
    assert.ok((await tableRows(frame, 'Metrics')).some(([name]) => name === '<i>val/acc</i>'));
    // The page's own DOM only (Playwright selectors would also look inside the components' shadow roots).
    assert.equal(await frame.evaluate(() => document.querySelectorAll('#app img, #app svg, #app script, #app b, #app i').length), 0, 'no element came from the payloads');
    await row.hover();
    await session.page.waitForTimeout(1500);
    await session.screenshot('04-hostile-run');
    assert.equal(await frame.evaluate(() => (window as { __mltrailPwned?: unknown }).__mltrailPwned), undefined);
    assert.equal(await session.page.evaluate(() => (window as { __mltrailPwned?: unknown }).__mltrailPwned), undefined);
    assert.deepEqual(session.dialogs, []);
  });

  it('updates the open details of a running run as it appends metrics, and its tree row', async () => {
    const live = runs.find((run) => run.status === 'running') as GeneratedRun;
    await (await runRow(session.page, live.experiment, live.name)).click();
    const frame = await runDetailsFrame(session.page, live.name);
    assert.equal(await frame.$eval('.status', (element) => element.getAttribute('data-status')), 'running');
    assert.equal(await frame.$eval('.live', (element) => element.textContent), 'Live');
    const metrics = path.join(folder, '.mltrail', 'runs', live.id, 'metrics.jsonl');
    appendLines(metrics, [metricLine({ name: 'train/loss', step: 0, value: 2.5 }), metricLine({ name: 'val/loss', step: 0, value: 2.75 })]);
    await waitFor(async () => (await tableRows(frame, 'Metrics')).some(([name, last]) => name === 'train/loss' && last === '2.5'), 10_000, 'the first points');
    appendLines(metrics, [metricLine({ name: 'train/loss', step: 1, value: 1.25 }), metricLine({ name: 'val/loss', step: 1, value: 1.5 })]);
    await waitFor(async () => (await tableRows(frame, 'Metrics')).some(([name, last, step, min, max]) => name === 'train/loss' && last === '1.25' && step === '1' && min === '1.25' && max === '2.5'), 10_000, 'the next points');
    await waitFor(async () => (await treeRow(session.page, live.name).getAttribute('aria-label'))?.includes('val/loss 1.5'), 10_000, 'the tree row to show the new key metric');
    await session.screenshot('05-live-run');
  });

  it('lists malformed lines in the Problems panel', async () => {
    await session.page.keyboard.press('Control+Shift+M');
    const problems = session.page.locator('.markers-panel .monaco-list-row');
    await problems.first().waitFor();
    const labels = await session.page.$$eval('.markers-panel .monaco-list-row', (rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
    assert.ok(labels.some((label) => label.includes('"value" must be a number')), labels.join(' | '));
    await session.screenshot('06-problems');
    await session.page.keyboard.press('Control+Shift+M');
  });

  it('renders the details in light and high-contrast themes', async () => {
    const run = runs.filter((candidate) => candidate.experiment === 'vit-finetune' && candidate.status === 'finished').at(-1) as GeneratedRun;
    await (await runRow(session.page, 'vit-finetune', run.name)).click();
    await runDetailsFrame(session.page, run.name);
    await setColorTheme(session, 'Light Modern');
    await session.screenshot('07-run-details-light');
    await setColorTheme(session, 'Default High Contrast');
    await session.screenshot('08-run-details-high-contrast');
    await setColorTheme(session, 'Dark Modern');
  });

  it('deletes a run after confirmation, moving it to .mltrail/trash/', async () => {
    const victim = runs.filter((run) => run.experiment === 'vit-finetune').at(-2) as GeneratedRun;
    const row = await runRow(session.page, 'vit-finetune', victim.name);
    await contextMenu(session.page, row, 'Delete Run…');
    const message = session.page.locator('.dialog-message-text');
    await message.waitFor();
    assert.equal(await message.textContent(), `Delete run "${victim.name}"?`);
    await session.screenshot('09-delete-confirmation');
    await session.page.locator('.dialog-buttons .monaco-button', { hasText: 'Move to Trash' }).click();
    await waitFor(async () => (await session.page.locator(`.monaco-list-row[aria-label^="${victim.name},"]`).count()) === 0 || !fs.existsSync(path.join(folder, '.mltrail', 'runs', victim.id)), 10_000, 'the run to leave');
    assert.equal(fs.existsSync(path.join(folder, '.mltrail', 'runs', victim.id)), false);
    assert.ok(fs.existsSync(path.join(folder, '.mltrail', 'trash', victim.id, 'run.jsonl')));
  });

  it('raised no Content-Security-Policy violation and no page error', () => {
    assert.deepEqual(session.problems, []);
  });
});
