// Run by `npm run bench`. The compare table at 1,000 runs x 200 columns, scrolled in headless Chromium: the built webview bundle on a page
// of its own, fed the same init message the extension host sends. Prints what one scroll step costs (our
// rendering plus layout) and the frame intervals while scrolling every frame.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_COMPARE_SETTINGS, type CompareRunData } from '../../src/compare/compareProtocol.ts';
import { chromiumPath, repoRoot } from '../tools/toolchain.ts';

const RUNS = 1000;
const PARAMS = 190;
const METRICS = 10;

function runs(): CompareRunData[] {
  return Array.from({ length: RUNS }, (_, index) => {
    const params: Record<string, unknown> = {};
    for (let param = 0; param < PARAMS; param++) params[`param_${param}`] = param % 3 === 0 ? `value-${(index * param) % 17}` : (index * 7 + param) % 101;
    const metrics: CompareRunData['metrics'] = {};
    for (let metric = 0; metric < METRICS; metric++) metrics[`metric_${metric}`] = { last: 1 / (index + metric + 1), step: 999, min: 0.001, max: 2, count: 1000 };
    return { key: `run-${index}`, id: `20260101-000000-${index.toString(16).padStart(6, '0')}`, name: `run ${index + 1}`, experiment: 'scale', status: 'finished', startTime: 1_767_000_000_000 + index * 1000, endTime: 1_767_000_600_000 + index * 1000, params, metrics };
  });
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number) * 100) / 100;
}

async function benchTableScroll(emit: (figure: Record<string, unknown>) => void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-table-'));
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const webviews = path.join(repoRoot, 'dist', 'webviews');
    const page = path.join(dir, 'table.html');
    fs.writeFileSync(
      page,
      `<!DOCTYPE html><html><head><link rel="stylesheet" href="file://${webviews}/compare.css"></head><body class="vscode-dark"><div id="app"></div>
<script>window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });</script>
<script src="file://${webviews}/compare.js"></script></body></html>`,
    );
    const tab = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await tab.goto(`file://${page}`);
    await tab.evaluate(([data, settings]) => window.postMessage({ type: 'init', runs: data, settings }, '*'), [runs(), DEFAULT_COMPARE_SETTINGS] as const);
    await tab.waitForSelector('.grid[aria-rowcount="1001"]');
    // A wheel-like scroll (3 rows down and a third of a column right per frame), then random jumps.
    const measure = (mode: 'wheel' | 'jump') =>
      tab.evaluate(async (jump) => {
        const grid = document.querySelector('.grid') as HTMLElement;
        grid.scrollTop = 0;
        grid.scrollLeft = 0;
        const steps: number[] = [];
        const maxTop = grid.scrollHeight - grid.clientHeight;
        const maxLeft = grid.scrollWidth - grid.clientWidth;
        for (let step = 0; step < 240; step++) {
          const started = performance.now();
          grid.scrollTop = jump ? (((step * 173) % 100) / 100) * maxTop : step * 78;
          grid.scrollLeft = jump ? (((step * 37) % 100) / 100) * maxLeft : step * 44;
          grid.dispatchEvent(new Event('scroll'));
          void grid.offsetHeight;
          steps.push(performance.now() - started);
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        return { steps, cells: grid.querySelectorAll('.cell').length };
      }, mode === 'jump');
    const wheel = await measure('wheel');
    const jump = await measure('jump');
    emit({
      name: 'compare.tableScrollFrame',
      value: percentile(wheel.steps, 0.95),
      unit: 'ms',
      target: '<= 16',
      median: percentile(wheel.steps, 0.5),
      randomJumpMedian: percentile(jump.steps, 0.5),
      randomJumpP95: percentile(jump.steps, 0.95),
      cellsInDom: wheel.cells,
      runs: RUNS,
      columns: PARAMS + METRICS,
      note: 'p95 of one scroll frame (rendering + layout) in headless Chromium with the built webview bundle, 3 rows and 1/3 column per frame',
    });
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await benchTableScroll((figure) => process.stdout.write(`${JSON.stringify(figure)}\n`));
