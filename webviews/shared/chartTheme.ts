// Chart colors from the VS Code theme, shared by every webview that draws charts.
import type { Plugin } from 'chart.js';

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
