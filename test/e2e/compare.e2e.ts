import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { waitFor } from '../tools/codeServer.ts';
import { repoRoot } from '../tools/toolchain.ts';
import { type GeneratedRun, generateWorkspace } from '../workspace/generateWorkspace.ts';
import { type Session, collapseAll, contextMenu, drawnPixels, openMLTrailView, setColorTheme, startSession, treeRow, webviewFrame } from './workbench.ts';

describe('Compare view: 20 runs and MLflow runs, in code-server with the packaged .vsix', () => {
  let session: Session;
  let folder: string;
  let runs: GeneratedRun[];
  let frame: Frame;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-compare-'));
    runs = generateWorkspace(folder, { runs: 20, experiments: ['lr-sweep'], steps: 400, seed: 5, allFinished: true, config: { version: 1, store: '.mltrail', keyMetric: 'val/loss' } });
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'sources', 'mlruns'), path.join(folder, 'mlruns'), { recursive: true });
    session = await startSession({ workspace: folder, logName: 'compare' });
  });

  after(async () => {
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('lists MLflow experiments beside MLTrail ones, marked by source', async () => {
    const { page } = session;
    await openMLTrailView(page);
    await treeRow(page, 'lr-sweep').waitFor({ timeout: 60_000 });
    const mlflowRow = page.locator('.monaco-list-row', { hasText: 'MLflow' }).first();
    await mlflowRow.waitFor({ timeout: 20_000 });
    assert.match((await mlflowRow.textContent()) ?? '', /MLflow · \d+ runs?/);
  });

  it('compares all 20 runs of an experiment from a multi-selection in the tree', async () => {
    const { page } = session;
    await collapseAll(page);
    await treeRow(page, 'lr-sweep').click();
    const first = runs.at(-1) as GeneratedRun;
    const firstRow = treeRow(page, first.name);
    await firstRow.click();
    await page.keyboard.press('Control+A');
    await contextMenu(page, firstRow, 'Compare Runs…');
    frame = await webviewFrame(page, '#app .grid');
    await frame.waitForSelector('.grid[aria-rowcount="21"]', { timeout: 20_000 });
    const names = await frame.$$eval('.run-link', (links) => links.map((link) => link.textContent));
    assert.ok(names.length > 0 && names.every((name) => runs.some((run) => run.name === name)), names.join(' | '));
    await frame.waitForSelector('.chart-card[data-metric="val/loss"][data-painted="true"]', { timeout: 30_000 });
    assert.ok((await drawnPixels(frame, '.chart-card[data-metric="val/loss"] canvas')) > 2000, 'the val/loss chart has lines drawn');
    // Hover a chart: every run's value at that step. (Leave the tree first, so its tooltip closes.)
    await page.mouse.move(200, 700);
    await page.waitForTimeout(500);
    const canvas = frame.locator('.chart-card[data-metric="train/loss"] canvas');
    const box = await canvas.boundingBox();
    if (box) await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await frame.waitForSelector('.chart-card[data-metric="train/loss"] .chart-tooltip:not([hidden])');
    assert.equal(await frame.locator('.chart-card[data-metric="train/loss"] .tooltip-row').count(), 12, 'the twelve highest of the 20 runs, then a count of the rest');
    await session.screenshot('compare-01-twenty-runs');
    await frame.locator('.chart-card[data-chart="parallel"]').scrollIntoViewIfNeeded();
    await frame.waitForSelector('.chart-card[data-chart="parallel"][data-painted="true"]', { timeout: 10_000 });
    await frame.waitForSelector('.chart-card[data-chart="scatter"][data-painted="true"]', { timeout: 10_000 });
    assert.ok((await drawnPixels(frame, '.chart-card[data-chart="parallel"] canvas')) > 2000, 'parallel coordinates drawn');
    assert.ok((await drawnPixels(frame, '.chart-card[data-chart="scatter"] canvas')) > 200, 'scatter drawn');
    await frame.waitForSelector('.chart-card[data-metric="lr"][data-painted="true"]', { timeout: 10_000 });
    await session.screenshot('compare-01b-parameters');
    await frame.locator('.grid').scrollIntoViewIfNeeded();
  });

  it('"Only what differs" hides columns whose values are the same in every run', async () => {
    const headers = () => frame.$$eval('.cell.header[data-column]', (cells) => cells.map((cell) => cell.getAttribute('data-column')));
    assert.ok((await headers()).includes('param:epochs'), 'epochs is shown at first');
    await frame.click('#only-differing');
    await frame.waitForFunction(() => !document.querySelector('.cell.header[data-column="param:epochs"]'));
    const shown = await headers();
    assert.ok(shown.includes('param:seed'), `seed differs in every run: ${shown.join(', ')}`);
    assert.ok(!shown.includes('param:epochs'));
    await session.screenshot('compare-02-only-differing');
  });

  it('switches the x-axis to relative time: the charts are drawn again on the new axis', async () => {
    await frame.click('#x-axis');
    await frame.locator('#x-axis').getByText('Relative time', { exact: true }).filter({ visible: true }).click();
    await frame.waitForSelector('.chart-card[data-metric="val/loss"][data-x-axis="relative"][data-painted="true"]', { timeout: 20_000 });
    assert.ok((await drawnPixels(frame, '.chart-card[data-metric="val/loss"] canvas')) > 2000);
    await frame.locator('.chart-card[data-metric="val/loss"]').scrollIntoViewIfNeeded();
    await session.screenshot('compare-03-relative-time');
  });

  it('takes in points appended to a compared run without reloading the chart', async () => {
    const card = '.chart-card[data-metric="val/loss"]';
    const before = Number(await frame.$eval(card, (element) => element.getAttribute('data-points')));
    const run = runs[3] as GeneratedRun;
    const lines = Array.from({ length: 20 }, (_, index) => JSON.stringify({ name: 'val/loss', step: 400 + index, value: 0.1, time: Date.now() }));
    fs.appendFileSync(path.join(folder, '.mltrail', 'runs', run.id, 'metrics.jsonl'), lines.join('\n') + '\n');
    const appended = Date.now();
    await frame.waitForFunction(([selector, expected]) => Number(document.querySelector(selector as string)?.getAttribute('data-points')) === expected, [card, before + 20] as const, { timeout: 10_000 });
    console.log(`appended points drawn ${Date.now() - appended} ms after the write`);
  });

  it('hides a run from the charts by its legend entry, and pins a baseline with deltas', async () => {
    const entry = frame.locator('.legend-entry').first();
    await entry.click();
    assert.equal(await entry.getAttribute('aria-pressed'), 'false');
    await frame.locator('.pinned-column .icon-button[aria-pressed]').first().click();
    await frame.waitForSelector('.delta');
    await frame.locator('.grid').scrollIntoViewIfNeeded();
    await session.screenshot('compare-04-baseline');
  });

  it('exports a chart as PNG through the save dialog', async () => {
    const { page } = session;
    await frame.locator('.chart-card[data-metric="val/loss"] button[aria-label^="Export"]').click();
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    const file = path.join(folder, 'val_loss.png');
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 1000, 15_000, 'the exported PNG');
    assert.deepEqual([...fs.readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  });

  it('draws in the high-contrast theme', async () => {
    await setColorTheme(session, 'Default High Contrast');
    frame = await webviewFrame(session.page, '#app .grid');
    await frame.waitForSelector('.chart-card[data-painted="true"]', { timeout: 20_000 });
    await session.screenshot('compare-05-high-contrast');
    await setColorTheme(session, 'Dark Modern');
    assert.deepEqual(session.problems, []);
  });
});
