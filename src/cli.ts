import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.ts';

/** Bundled, a worker sits in dist/workers/; run from sources (tests), it is the TypeScript module itself. */
function findWorkerScript(bundled: string, source: string): URL | undefined {
  for (const candidate of [new URL(`./workers/${bundled}`, import.meta.url), new URL(source, import.meta.url)]) {
    if (fs.existsSync(fileURLToPath(candidate))) return candidate;
  }
  return undefined;
}

// `mltrail runs | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const workerScript = findWorkerScript('runs.js', './runs/runsWorker.ts');
const driftWorkerScript = findWorkerScript('drift.js', './drift/driftWorker.ts');
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  ...(workerScript ? { workerScript } : {}),
  ...(driftWorkerScript ? { driftWorkerScript } : {}),
});
