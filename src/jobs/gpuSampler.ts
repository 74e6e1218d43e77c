import path from 'node:path';
import { appendLines } from '../platform/atomicFile.ts';
import { metricLine } from '../runs/runWriter.ts';
import { METRICS_FILE } from '../store/layout.ts';
import { sampleGpus } from './gpus.ts';

export const DEFAULT_GPU_SAMPLE_INTERVAL_MS = 5_000;

/**
 * Samples every GPU every `intervalMs` into the run's metrics: `system/gpu<N>/util` (percent) and
 * `system/gpu<N>/mem` (MiB used), the step counting samples. Returns a function that stops sampling and waits for
 * a sample in flight.
 */
export function startGpuSampling(nvidiaSmi: string, dir: string, intervalMs: number): () => Promise<void> {
  let step = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const sample = async () => {
    const time = Date.now();
    const samples = await sampleGpus(nvidiaSmi);
    if (samples.length === 0) return;
    const lines = samples.flatMap((gpu) => [
      metricLine({ name: `system/gpu${gpu.index}/util`, step, value: gpu.utilization, time }),
      metricLine({ name: `system/gpu${gpu.index}/mem`, step, value: gpu.memoryUsed, time }),
    ]);
    step += 1;
    appendLines(path.join(dir, METRICS_FILE), lines);
  };
  const tick = () => {
    inFlight = inFlight.then(sample).catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
