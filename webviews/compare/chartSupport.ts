import { CategoryScale, Chart, Filler, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { XAxis } from '../../src/compare/compareProtocol.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { formatDuration } from '../../src/platform/time.ts';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Filler, Tooltip);

export { Chart };
export { type ChartTheme, backgroundPlugin, onThemeChange, readTheme, withAlpha } from '../shared/chartTheme.ts';

export function formatX(value: number, axis: XAxis, span = 0): string {
  switch (axis) {
    case 'step':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : formatMetricValue(value);
    case 'relative':
      return value === 0 ? '0s' : `${value < 0 ? '-' : ''}${formatDuration(Math.abs(value) * 1000)}`;
    case 'wall': {
      const date = new Date(value);
      return span > 86_400_000 ? date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : date.toLocaleTimeString();
    }
  }
}

export const X_AXIS_LABELS: Record<XAxis, string> = { step: 'Step', relative: 'Relative time', wall: 'Wall time' };

/** Index of the point whose x is nearest to `x` in an ascending array; -1 when empty. */
export function nearestIndex(xs: readonly number[], x: number): number {
  if (xs.length === 0) return -1;
  let low = 0;
  let high = xs.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((xs[middle] as number) < x) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs((xs[low - 1] as number) - x) <= Math.abs((xs[low] as number) - x)) return low - 1;
  return low;
}
