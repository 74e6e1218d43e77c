// The run comparison's hot paths, timed in this process: one JSON line per figure. `node test/bench/compareBench.ts`.
import { fileURLToPath } from 'node:url';
import { type CompareRun, buildColumns, differingColumns, sortRuns } from '../../src/compare/compareTable.ts';
import { downsampleSeries } from '../../src/compare/downsample.ts';
import { seededRandom } from '../support/tempStore.ts';

const POINTS = 1_000_000;
const MAX_POINTS = 2000;
const RUNS = 1000;
const PARAMS = 100;
const METRICS = 96; // + 4 info columns = 200
const WARM_UPS = 3;
const SAMPLES = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Milliseconds per call of `task`, after a few calls to let the JIT settle. */
function timed(task: () => void): number[] {
  for (let warmUp = 0; warmUp < WARM_UPS; warmUp++) task();
  return Array.from({ length: SAMPLES }, () => {
    const started = performance.now();
    task();
    return round(performance.now() - started);
  });
}

/** A noisy, decaying loss curve with a few spikes. */
function lossCurve(points: number): { steps: Float64Array; values: Float64Array } {
  const random = seededRandom(1);
  const steps = new Float64Array(points);
  const values = new Float64Array(points);
  for (let index = 0; index < points; index++) {
    steps[index] = index;
    values[index] = 2 * Math.exp(-index / (points / 5)) + 0.1 * random() + (random() < 1e-5 ? 5 : 0);
  }
  return { steps, values };
}

function comparedRuns(): CompareRun[] {
  const random = seededRandom(2);
  return Array.from({ length: RUNS }, (_, runIndex) => {
    const params: Record<string, unknown> = {};
    const metrics: CompareRun['metrics'] = {};
    for (let param = 0; param < PARAMS; param++) params[`param_${param}`] = param % 3 === 0 ? 'shared' : param % 3 === 1 ? Math.floor(random() * 10) : `opt-${Math.floor(random() * 50)}`;
    for (let metric = 0; metric < METRICS; metric++) {
      const last = random();
      if (random() > 0.05) metrics[`metric_${metric}`] = { last, min: last, max: last, step: 100, count: 100 };
    }
    return { id: `run-${runIndex}`, name: `run ${runIndex}`, experiment: 'bench', status: 'finished', startTime: runIndex * 1000, endTime: runIndex * 1000 + 60_000, params, metrics };
  });
}

export async function benchCompare(emit: (figure: Record<string, unknown>) => void): Promise<void> {
  const { steps, values } = lossCurve(POINTS);
  const downsample = timed(() => downsampleSeries(steps, values, MAX_POINTS));
  emit({ name: 'compare.downsample1M', value: median(downsample), unit: 'ms', target: '<= 50', points: POINTS, maxPoints: MAX_POINTS, samples: downsample });

  const runs = comparedRuns();
  const columns = buildColumns(runs);
  const sortBy = columns.find((column) => column.kind === 'metric')?.id as string;
  const tableDiffSort = timed(() => {
    differingColumns(runs, columns);
    sortRuns(runs, sortBy, true);
  });
  emit({ name: 'compare.tableDiffSort', value: median(tableDiffSort), unit: 'ms', target: '<= 50', runs: RUNS, columns: columns.length, samples: tableDiffSort });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchCompare((figure) => process.stdout.write(`${JSON.stringify(figure)}\n`));
}
