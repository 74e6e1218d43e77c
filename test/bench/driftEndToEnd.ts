// One `mltrail drift`-like run in a fresh process, for the bench: both files, every column with its drill-down.
import { runDriftJob } from '../../src/drift/driftJob.ts';

const [reference, current] = process.argv.slice(2) as [string, string];
const started = performance.now();
const result = await runDriftJob({ reference, current, details: true }, { workerScript: new URL('../../src/drift/driftWorker.ts', import.meta.url) });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), drifted: result.drift.drifted, columns: result.drift.columns.length })}\n`);
