import { CategoryScale, Chart, Filler, LineController, LineElement, LinearScale, LogarithmicScale, type Plugin, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { XAxis } from '../../src/compare/compareProtocol.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { formatDuration } from '../../src/platform/time.ts';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Filler, Tooltip);

export { Chart };

/** Colors charts take from the current VS Code theme (read again when the theme changes). */
export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: read('--vscode-foreground', '#cccccc'),
    muted: read('--vscode-descriptionForeground', '#999999'),
    grid: read('--vscode-editorWidget-border', read('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    background: read('--vscode-editor-background', '#1e1e1e'),
    font: read('--vscode-font-family', 'sans-serif'),
  };
}

/** Calls back when the user switches between light, dark and high-contrast themes. */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}

/** Paints the theme's background under the chart, so an exported PNG looks like the chart on screen. */
export function backgroundPlugin(theme: () => ChartTheme): Plugin {
  return {
    id: 'mltrailBackground',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = theme().background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

/** A color with an alpha channel, from `#rrggbb`. */
export function withAlpha(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

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
