// The compare view at scale, measured in the e2e harness (code-server + headless Chromium, packaged .vsix):
// 100 runs x 10 metrics x 100,000 steps. Prints one JSON figure: milliseconds from choosing "Compare Runs…" to
// the first chart painted. Run by `npm run bench`; speed is never asserted in tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newRunId } from '../../src/store/layout.ts';
import { seriesCacheDir } from '../../src/runs/seriesCache.ts';
import { waitFor } from '../tools/codeServer.ts';
import { collapseAll, openMLTrailView, startSession, treeRow, webviewFrame } from './workbench.ts';

const RUNS = 100;
const METRICS = 10;
const STEPS = 100_000;
const VARIANTS = 4;

/** One metrics.jsonl per variant; runs share them through hard links, so the workspace takes 200 MB, not 5 GB. */
function writeVariant(file: string, variant: number): void {
  const fd = fs.openSync(file, 'w');
  let lines: string[] = [];
  const start = 1_767_000_000_000;
  for (let step = 0; step < STEPS; step++) {
    for (let metric = 0; metric < METRICS; metric++) {
      const value = (metric + 1) * Math.exp(-step / (15_000 + variant * 4000)) + Math.sin(step / 500 + variant) * 0.02;
      lines.push(`{"name":"metric_${metric}","step":${step},"value":${value.toPrecision(6)},"time":${start + step * 500}}`);
    }
    if (lines.length >= 200_000) {
      fs.writeSync(fd, lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) fs.writeSync(fd, lines.join('\n') + '\n');
  fs.closeSync(fd);
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-compare-scale-'));
const store = path.join(folder, '.mltrail');
try {
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, store: '.mltrail' }));
  const variants = Array.from({ length: VARIANTS }, (_, variant) => path.join(folder, `variant-${variant}.jsonl`));
  variants.forEach(writeVariant);
  const ids: string[] = [];
  for (let index = 0; index < RUNS; index++) {
    const id = newRunId(new Date(1_767_000_000_000 + index * 60_000), Buffer.from([index, 7, 7]));
    const dir = path.join(store, 'runs', id);
    fs.mkdirSync(dir, { recursive: true });
    const records = [
      { type: 'start', time: 1_767_000_000_000 + index * 60_000, experiment: 'scale', name: `scale run ${index + 1}` },
      { type: 'params', values: { lr: [0.001, 0.003, 0.01, 0.03][index % 4], seed: index } },
      { type: 'end', status: 'finished', exitCode: 0 },
    ];
    fs.writeFileSync(path.join(dir, 'run.jsonl'), records.map((record) => JSON.stringify(record)).join('\n') + '\n');
    fs.linkSync(variants[index % VARIANTS] as string, path.join(dir, 'metrics.jsonl'));
    ids.push(id);
  }
  const session = await startSession({ workspace: folder, logName: 'compare-scale' });
  try {
    const { page } = session;
    await openMLTrailView(page);
    await treeRow(page, 'scale').waitFor({ timeout: 300_000 });
    // The state a workspace is in once it has been open a while: indexed, and the series caches of large runs built.
    await waitFor(() => ids.every((id) => fs.existsSync(path.join(seriesCacheDir(store, id), 'manifest.json'))), 400_000, 'the series caches of 100 runs');
    await collapseAll(page);
    await treeRow(page, 'scale').click();
    const first = treeRow(page, `scale run ${RUNS}`);
    await first.click();
    await page.keyboard.press('Control+A');
    await first.click({ button: 'right' });
    const entry = page.locator('.monaco-menu .action-item', { hasText: 'Compare Runs…' });
    await entry.hover();
    const started = Date.now();
    await entry.click();
    const frame = await webviewFrame(page, '#app .grid', 30_000);
    const card = await frame.waitForSelector('.chart-card[data-metric][data-painted-at]', { timeout: 60_000 });
    const paintedAt = Number(await card.getAttribute('data-painted-at'));
    const rows = await frame.$eval('.grid', (grid) => grid.getAttribute('aria-rowcount'));
    // Where the time went, from the page's own performance marks (epoch ms).
    const marks = await frame.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((mark) => [mark.name, Math.round(performance.timeOrigin + mark.startTime)])));
    const phases = Object.fromEntries(Object.entries(marks).map(([name, at]) => [name.replace('mltrail:', ''), at - started]));
    await session.screenshot('compare-scale-100-runs');
    process.stdout.write(
      `${JSON.stringify({ name: 'compare.firstChart.e2e', value: paintedAt - started, unit: 'ms', target: '<= 1500', runs: RUNS, metrics: METRICS, steps: STEPS, tableRows: Number(rows) - 1, phasesMs: { ...phases, painted: paintedAt - started }, note: 'code-server + headless Chromium, packaged .vsix; from the menu click to the first chart painted' })}\n`,
    );
  } finally {
    await session.close();
  }
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
