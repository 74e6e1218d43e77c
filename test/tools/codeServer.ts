// Starts a real VS Code (code-server) on a loopback port with given .vsix files installed, and opens it in
// headless Chromium: the extension host only starts once a browser client connects.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { chromiumPath, ensureCodeServer, node24BinDir } from './toolchain.ts';

export interface CodeServerOptions {
  workspace: string;
  vsixes: string[];
  /** Ask for workspace trust (Restricted Mode until granted). Default: trust disabled, as a trusted folder. */
  askForTrust?: boolean;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  port?: number;
}

export interface CodeServer {
  url: string;
  workspace: string;
  userDataDir: string;
  stop(): Promise<void>;
  output(): string;
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.colorTheme': 'Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function codeServerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${node24BinDir()}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const bin = ensureCodeServer();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-code-server-'));
  const userDataDir = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  const configFile = path.join(home, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': Boolean(options.askForTrust), ...options.settings };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = codeServerEnv(options.env);
  for (const vsix of options.vsixes) {
    const installed = spawnSync(bin, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', configFile, '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`installing ${vsix} failed:\n${installed.stdout}\n${installed.stderr}`);
  }
  const port = options.port ?? (await freePort());
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', configFile];
  if (!options.askForTrust) args.push('--disable-workspace-trust');
  args.push(options.workspace);
  const child: ChildProcess = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    try {
      return (await fetch(`${url}/healthz`)).ok;
    } catch {
      return false;
    }
  }, 60_000, 'code-server to listen');
  return {
    url,
    workspace: options.workspace,
    userDataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(check: () => Promise<T | false | undefined> | T | false | undefined, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Opens the workbench in headless Chromium and waits until it has rendered. */
export async function openWorkbench(server: CodeServer, viewport = { width: 1440, height: 900 }): Promise<Workbench> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  // Clipboard access is granted as a user's click would: the extension's clipboard writes go through the page.
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const target = server.workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  await page.goto(`${server.url}/?${target}=${encodeURIComponent(server.workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return { browser, page, close: () => browser.close() };
}
