import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { waitFor } from '../tools/codeServer.ts';
import { seededRandom } from '../support/tempStore.ts';
import { type Session, drawnPixels, openMLTrailView, runCommand, setColorTheme, startSession, webviewFrame } from './workbench.ts';

/** Four days of rows every 10 minutes; from `shiftDay` on, price moves up and a new color appears. */
function table(seed: number, shiftDay: number): string {
  const random = seededRandom(seed);
  const lines = ['time,price,quantity,color,score'];
  const start = Date.UTC(2026, 10, 1);
  for (let row = 0; row < 576; row++) {
    const day = Math.floor(row / 144);
    const shifted = day >= shiftDay;
    const color = shifted && random() < 0.4 ? 'purple' : (['red', 'green', 'blue'][Math.floor(random() * 3)] as string);
    lines.push([new Date(start + row * 600_000).toISOString(), (random() * 100 + (shifted ? 35 : 0)).toFixed(2), Math.floor(random() * 50), color, (random() * 2 - 1).toFixed(4)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Types into the quick pick titled `title` (each step of a flow has its own) and accepts the item matching `text`. */
async function pickQuickItem(page: Page, title: string, text: string): Promise<void> {
  await page.waitForSelector(`.quick-input-widget:not([style*="display: none"]) .quick-input-title:has-text("${title}")`);
  await page.keyboard.type(text);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${text}"]`);
  await page.keyboard.press('Enter');
}

describe('Data drift: a check from the command palette, its report, and drift over time', () => {
  let session: Session;
  let folder: string;
  let frame: Frame;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-drift-'));
    fs.writeFileSync(path.join(folder, 'mltrail.json'), '{ "version": 1 }\n');
    fs.mkdirSync(path.join(folder, 'data'));
    fs.writeFileSync(path.join(folder, 'data', 'reference.csv'), table(1, Infinity));
    fs.writeFileSync(path.join(folder, 'data', 'production.csv'), table(2, 2));
    session = await startSession({ workspace: folder, logName: 'drift' });
  });

  after(async () => {
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('checks two tables picked in the palette and shows the verdict, the table and a drill-down', async () => {
    const { page } = session;
    await openMLTrailView(page);
    await runCommand(page, 'MLTrail: Check Data Drift…');
    await pickQuickItem(page, '(1/2)', 'reference.csv');
    await pickQuickItem(page, '(2/2)', 'production.csv');
    frame = await webviewFrame(page, '#verdict');
    await frame.waitForSelector('#verdict.drift, #verdict.ok', { timeout: 60_000 });
    const verdict = (await frame.textContent('#verdict')) ?? '';
    assert.match(verdict, /Drift in 2 of 4 columns; dataset drift detected/);
    assert.match((await frame.textContent('.skipped')) ?? '', /time: dates and times are not compared/);
    const rows = await frame.$$eval('table.results tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-column'), tr.classList.contains('drifted')]));
    assert.deepEqual(rows.slice(0, 2).map(([name]) => name).sort(), ['color', 'price'], 'the drifted columns come first');
    assert.deepEqual(rows.map(([, drifted]) => drifted), [true, true, false, false]);
    await frame.click('tr[data-column="price"]');
    await frame.waitForSelector('#drill-down h2:has-text("price")');
    await waitFor(async () => (await drawnPixels(frame, '#distribution-chart')) > 2000 && (await drawnPixels(frame, '#ecdf-chart')) > 2000, 10_000, 'the histogram and the ECDFs drawn');
    assert.match((await frame.textContent('.why')) ?? '', /farthest apart at/);
    await session.screenshot('drift-01-report');
    // Keyboard: from price, ArrowDown selects the next column and redraws the drill-down.
    await frame.focus('tr[data-column="price"]');
    await page.keyboard.press('ArrowDown');
    await frame.waitForSelector('tr[aria-selected="true"]:not([data-column="price"])');
    const color = 'color';
    await frame.click(`tr[data-column="${color}"]`);
    await frame.waitForSelector('#drill-down h2:has-text("color")');
    assert.match((await frame.textContent('.why')) ?? '', /Only in the current data: purple/);
    await waitFor(async () => (await drawnPixels(frame, '#distribution-chart')) > 1000, 10_000, 'the category bars drawn');
    await session.screenshot('drift-02-categories');
    const saved = fs.readdirSync(path.join(folder, '.mltrail', 'drift'));
    assert.equal(saved.length, 1, 'the report is saved in the store');
  });

  it('checks drift over time by day: the heatmap flags the days after the shift', async () => {
    const { page } = session;
    await runCommand(page, 'MLTrail: Check Data Drift Over Time…');
    await pickQuickItem(page, '(1/2)', 'reference.csv');
    await pickQuickItem(page, '(2/2)', 'production.csv');
    await pickQuickItem(page, 'each row', 'time');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title:has-text("chunk size")');
    await page.keyboard.press('Enter'); // 1d, the default
    await pickQuickItem(page, 'flagged', 'threshold');
    frame = await webviewFrame(page, '#over-time .heatmap', 60_000);
    const flagged = await frame.$$eval('#over-time tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, [...tr.querySelectorAll('td')].map((cell) => cell.classList.contains('drifted'))]));
    const price = flagged.find(([name]) => name === 'price')?.[1] as boolean[];
    assert.deepEqual(price, [false, false, true, true], 'price drifts on the third and fourth day');
    await waitFor(async () => (await drawnPixels(frame, '#score-over-time')) > 1000, 10_000, 'the score-over-time line');
    await frame.locator('#over-time').scrollIntoViewIfNeeded();
    await session.screenshot('drift-03-over-time');
    await setColorTheme(session, 'Default High Contrast');
    frame = await webviewFrame(page, '#over-time .heatmap', 30_000);
    await frame.locator('#verdict').scrollIntoViewIfNeeded();
    await session.screenshot('drift-04-high-contrast');
    await setColorTheme(session, 'Light Modern');
    frame = await webviewFrame(page, '#verdict', 30_000);
    await session.screenshot('drift-05-light');
    assert.equal(fs.readdirSync(path.join(folder, '.mltrail', 'drift')).length, 2);
    assert.deepEqual(session.problems, [], 'no script error or CSP violation in the report webviews');
  });
});
