import type { ChunkWindow } from './reportModel.ts';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `1h`, `1d`, `7d` (m, h, d, w) as a duration; a plain count as rows per chunk; undefined otherwise. */
export function parseWindow(text: string): ChunkWindow | undefined {
  const duration = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text.trim());
  if (duration) {
    const milliseconds = Number(duration[1]) * (UNITS[duration[2] as string] as number);
    return milliseconds > 0 ? { milliseconds, label: text.trim() } : undefined;
  }
  const rows = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  return Number.isInteger(rows) && rows > 0 ? { rows } : undefined;
}
