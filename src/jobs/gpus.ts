import { execFile } from 'node:child_process';

/** A GPU as `nvidia-smi` lists it when a run starts. */
export interface GpuInfo {
  index: number;
  name: string;
  /** As nvidia-smi prints it, e.g. "81559 MiB". */
  memoryTotal: string;
}

export interface GpuSample {
  index: number;
  /** Percent. */
  utilization: number;
  /** MiB. */
  memoryUsed: number;
}

const QUERY_TIMEOUT_MS = 10_000;

/** The output of `nvidiaSmi args...`, or undefined when it is missing or fails: no GPU tool means no GPU data. */
function runNvidiaSmi(nvidiaSmi: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(nvidiaSmi, args, { timeout: QUERY_TIMEOUT_MS }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

function csvRows(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.split(',').map((field) => field.trim()));
}

export async function listGpus(nvidiaSmi: string): Promise<GpuInfo[]> {
  const output = await runNvidiaSmi(nvidiaSmi, ['--query-gpu=index,name,memory.total', '--format=csv,noheader']);
  if (output === undefined) return [];
  return csvRows(output).flatMap(([index, name, memoryTotal]) =>
    index !== undefined && /^\d+$/.test(index) && name !== undefined ? [{ index: Number(index), name, memoryTotal: memoryTotal ?? '' }] : [],
  );
}

/** Rows whose fields are not numbers ("[N/A]" on some boards) are left out. */
export async function sampleGpus(nvidiaSmi: string): Promise<GpuSample[]> {
  const output = await runNvidiaSmi(nvidiaSmi, ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits']);
  if (output === undefined) return [];
  return parseGpuSamples(output);
}

export function parseGpuSamples(csv: string): GpuSample[] {
  return csvRows(csv).flatMap(([index, utilization, memoryUsed]) => {
    const numbers = [index, utilization, memoryUsed].map((field) => (field === undefined || field === '' ? Number.NaN : Number(field)));
    return numbers.every(Number.isFinite) ? [{ index: numbers[0] as number, utilization: numbers[1] as number, memoryUsed: numbers[2] as number }] : [];
  });
}
