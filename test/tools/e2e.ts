// Runs the end-to-end tests: headless Chromium against code-server with the packaged .vsix installed.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, run } from './toolchain.ts';

if (!fs.existsSync(path.join(repoRoot, 'out', 'mltrail.vsix'))) run('npm', ['run', 'package']);
const files = fs.readdirSync(path.join(repoRoot, 'test', 'e2e')).filter((file) => file.endsWith('.e2e.ts')).map((file) => path.join('test', 'e2e', file));
run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);
