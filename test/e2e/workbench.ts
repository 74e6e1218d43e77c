// Drives the VS Code workbench (code-server) in Chromium the way a user does: clicks, context menus, the
// command palette. Screenshots go to test-results/screenshots/ (git-ignored).
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { type CodeServer, type CodeServerOptions, type Workbench, openWorkbench, startCodeServer, waitFor } from '../tools/codeServer.ts';
import { repoRoot } from '../tools/toolchain.ts';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');
export const mltrailVsix = path.join(repoRoot, 'out', 'mltrail.vsix');

export interface Session {
  server: CodeServer;
  workbench: Workbench;
  page: Page;
  /** Console lines from every frame that look like a Content-Security-Policy violation or a page error. */
  problems: string[];
  dialogs: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export const logDir = path.join(repoRoot, 'test-results', 'logs');

/** Keeps MLTrail's log and the extension host's log of a session, for when a test fails. */
function saveLogs(server: CodeServer, name: string): void {
  const logs = path.join(server.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return;
  fs.mkdirSync(logDir, { recursive: true });
  for (const file of fs.readdirSync(logs, { recursive: true, encoding: 'utf8' })) {
    if (/(MLTrail|remoteexthost)\.log$/.test(file)) fs.copyFileSync(path.join(logs, file), path.join(logDir, `${name}-${path.basename(file)}`));
  }
  fs.writeFileSync(path.join(logDir, `${name}-code-server.log`), server.output());
}

export async function startSession(options: Omit<CodeServerOptions, 'vsixes'> & { vsixes?: string[]; logName?: string }): Promise<Session> {
  if (!fs.existsSync(mltrailVsix)) throw new Error(`${mltrailVsix} is missing: run npm run package first`);
  const server = await startCodeServer({ vsixes: [mltrailVsix], ...options });
  const workbench = await openWorkbench(server);
  const problems: string[] = [];
  const dialogs: string[] = [];
  workbench.page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
  });
  workbench.page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  workbench.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  fs.mkdirSync(screenshotDir, { recursive: true });
  return {
    server,
    workbench,
    page: workbench.page,
    problems,
    dialogs,
    screenshot: async (name) => {
      const file = path.join(screenshotDir, `${name}.png`);
      await workbench.page.screenshot({ path: file });
      return file;
    },
    close: async () => {
      await workbench.close();
      saveLogs(server, options.logName ?? path.basename(options.workspace));
      await server.stop();
    },
  };
}

export async function openMLTrailView(page: Page): Promise<void> {
  await page.click('.activitybar [aria-label^="MLTrail"]');
  await page.waitForSelector('.pane-header[aria-label^="Experiments"]');
}

/** A row of the Experiments view by the start of its accessible label ("name, Status, ..."). */
export function treeRow(page: Page, labelStart: string): Locator {
  return page.locator(`.monaco-list-row[aria-label^="${labelStart.replace(/["\\]/g, '\\$&')}"]`).first();
}

export async function rowLabels(page: Page): Promise<string[]> {
  return page.$$eval('.pane-body .monaco-list-row', (rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
}

/** The frame of the run-details webview showing `runName`, once its content has rendered. */
export async function runDetailsFrame(page: Page, runName: string, timeoutMs = 20_000): Promise<Frame> {
  return waitFor(async () => {
    for (const frame of page.frames()) {
      try {
        const name = await frame.$eval('#app .run-name', (element) => element.textContent);
        if (name === runName) return frame;
      } catch {
        // Not a run-details frame, or not rendered yet.
      }
    }
    return undefined;
  }, timeoutMs, `the run details of "${runName}"`);
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input');
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`);
  await page.keyboard.press('Enter');
}

/** Table rows of a run-details section as [name, ...cells]. */
export async function tableRows(frame: Frame, caption: string): Promise<string[][]> {
  return frame.$$eval(
    'table.data-table',
    (tables, wanted) => {
      const table = tables.find((candidate) => candidate.querySelector('caption')?.textContent === wanted);
      return table ? [...table.querySelectorAll('tbody tr:not([hidden])')].map((row) => [...row.children].map((cell) => cell.textContent ?? '')) : [];
    },
    caption,
  );
}

/**
 * Switches the color theme the way a user edits settings.json: open it from the command palette, replace the
 * text, save. (code-server's theme picker also searches Open VSX, which this machine cannot reach.) Theme ids
 * are VS Code's: "Dark Modern", "Light Modern", "Default High Contrast".
 */
export async function setColorTheme(session: Session, theme: string): Promise<void> {
  const file = path.join(session.server.userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  settings['workbench.colorTheme'] = theme;
  const { page } = session;
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  await page.waitForSelector('.editor-instance .monaco-editor.focused');
  await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(settings, null, 2));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Control+S');
  const themeClass = theme.includes('High Contrast') ? 'hc-black' : theme.includes('Light') ? 'vs' : 'vs-dark';
  await waitFor(() => page.evaluate((expected) => document.querySelector('.monaco-workbench')?.classList.contains(expected), themeClass), 15_000, `the ${theme} theme`);
  await page.keyboard.press('Control+W');
  await page.waitForTimeout(700);
}

/** Right-clicks `target` and picks `item` from its context menu (the menu acts on mouse-up over a hovered item). */
export async function contextMenu(page: Page, target: Locator, item: string): Promise<void> {
  await target.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item', { hasText: item });
  await entry.hover();
  await entry.click();
}

/** Collapses the Experiments view, expands `experiment` and returns the row of `runName` in it. */
export async function runRow(page: Page, experiment: string, runName: string): Promise<Locator> {
  await collapseAll(page);
  await treeRow(page, experiment).click();
  const row = treeRow(page, runName);
  await row.waitFor();
  return row;
}

/** The Experiments view's "Collapse All" title action. */
export async function collapseAll(page: Page): Promise<void> {
  await page.hover('.pane-header[aria-label^="Experiments"]');
  await page.click('.pane-header[aria-label^="Experiments"] .action-label[aria-label="Collapse All"]');
}

/** The frame of a webview whose document has `selector`, once it has rendered. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(async () => {
    for (const frame of page.frames()) {
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        // A frame that went away while it was searched.
      }
    }
    return undefined;
  }, timeoutMs, `a webview with ${selector}`);
}

/** How many pixels of a canvas differ from its top-left pixel (the background): 0 for a blank chart. */
export async function drawnPixels(frame: Frame, canvasSelector: string): Promise<number> {
  return frame.$eval(canvasSelector, (canvas) => {
    const element = canvas as HTMLCanvasElement;
    const context = element.getContext('2d');
    if (!context || element.width === 0 || element.height === 0) return 0;
    const { data } = context.getImageData(0, 0, element.width, element.height);
    let drawn = 0;
    for (let offset = 4; offset < data.length; offset += 4) {
      if (data[offset] !== data[0] || data[offset + 1] !== data[1] || data[offset + 2] !== data[2]) drawn += 1;
    }
    return drawn;
  });
}
