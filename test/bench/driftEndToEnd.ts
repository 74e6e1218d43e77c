// One `mltrail drift`-like run in a fresh process, for the bench: both files, every column with its drill-down, on
// the bundled worker as the extension and the CLI run it (the TypeScript worker when nothing is built).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDriftJob } from '../../src/drift/driftJob.ts';

const bundled = new URL('../../dist/workers/drift.js', import.meta.url);
const workerScript = fs.existsSync(fileURLToPath(bundled)) ? bundled : new URL('../../src/drift/driftWorker.ts', import.meta.url);
const [reference, current] = process.argv.slice(2) as [string, string];
const started = performance.now();
const result = await runDriftJob({ reference, current, details: true }, { workerScript });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), drifted: result.drift.drifted, columns: result.drift.columns.length, worker: workerScript === bundled ? 'bundled' : 'source' })}\n`);
