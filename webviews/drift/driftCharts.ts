import { BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, type Plugin, PointElement, Tooltip } from 'chart.js';
import type { CategoricalDetail, Distribution, NumericalDetail } from '../../src/drift/columnDetail.ts';
import type { Chunk } from '../../src/drift/reportModel.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { type ChartTheme, backgroundPlugin, readTheme, withAlpha } from '../shared/chartTheme.ts';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

/** Reference and current colors: the theme's chart palette when it has one, fixed otherwise (colorblind-safe pair). */
function sideColors(): { reference: string; current: string } {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string) => {
    const value = style.getPropertyValue(name).trim();
    return /^#[0-9a-f]{6}$/i.test(value) ? value : fallback;
  };
  return { reference: read('--vscode-charts-blue', '#3794ff'), current: read('--vscode-charts-orange', '#d18616') };
}

function baseOptions(theme: ChartTheme, xTitle: string, yTitle: string) {
  const axis = (title: string) => ({ title: { display: true, text: title, color: theme.muted }, ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { color: theme.grid } });
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    plugins: { legend: { labels: { color: theme.foreground, boxWidth: 12 } }, tooltip: { mode: 'index' as const, intersect: false } },
    scales: { x: axis(xTitle), y: axis(yTitle) },
    font: { family: theme.font },
  };
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.01 && share > 0 ? 2 : 1)}%`;

function binLabel(distribution: Distribution, index: number): string {
  const edges = distribution.edges;
  if (!edges) return distribution.labels[index] as string;
  return `${formatMetricValue(edges[index] as number)} – ${formatMetricValue(edges[index + 1] as number)}`;
}

/** Both sides' shares per bin or category, as overlapping bars. */
export function distributionChart(canvas: HTMLCanvasElement, distribution: Distribution, kind: 'numerical' | 'categorical'): Chart {
  const theme = readTheme();
  const colors = sideColors();
  const labels = distribution.labels.map((_, index) => binLabel(distribution, index));
  const options = baseOptions(theme, kind === 'numerical' ? 'Value (shared bins)' : 'Category', 'Share of rows');
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Reference', data: distribution.reference, backgroundColor: withAlpha(colors.reference, 0.55), borderColor: colors.reference, borderWidth: 1, grouped: kind === 'categorical', barPercentage: 1, categoryPercentage: kind === 'numerical' ? 1 : 0.8 },
        { label: 'Current', data: distribution.current, backgroundColor: withAlpha(colors.current, 0.45), borderColor: colors.current, borderWidth: 1, grouped: kind === 'categorical', barPercentage: 1, categoryPercentage: kind === 'numerical' ? 1 : 0.8 },
      ],
    },
    options: {
      ...options,
      plugins: { ...options.plugins, tooltip: { ...options.plugins.tooltip, callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.parsed.y as number)}` } } },
      scales: { ...options.scales, y: { ...options.scales.y, ticks: { ...options.scales.y.ticks, callback: (value: string | number) => percent(Number(value)) } } },
    },
    plugins: [backgroundPlugin(readTheme)],
  });
}

/** Marks the KS distance: a vertical segment between the two ECDFs where they are farthest apart. */
function ksMarker(detail: NumericalDetail, color: string): Plugin<'line'> {
  return {
    id: 'mltrailKsMarker',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x?.getPixelForValue(detail.ks.at);
      const top = chart.scales.y?.getPixelForValue(Math.max(detail.ks.reference, detail.ks.current));
      const bottom = chart.scales.y?.getPixelForValue(Math.min(detail.ks.reference, detail.ks.current));
      if (x === undefined || top === undefined || bottom === undefined || !Number.isFinite(x)) return;
      const { ctx } = chart;
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = color;
      ctx.font = `12px ${readTheme().font}`;
      ctx.fillText(`KS = ${formatMetricValue(detail.ks.statistic)}`, x + 6, (top + bottom) / 2);
      ctx.restore();
    },
  };
}

export function ecdfChart(canvas: HTMLCanvasElement, detail: NumericalDetail): Chart {
  const theme = readTheme();
  const colors = sideColors();
  const points = (values: number[]) => detail.ecdf.x.map((x, index) => ({ x, y: values[index] as number }));
  const options = baseOptions(theme, 'Value', 'Share of rows ≤ value');
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'Reference', data: points(detail.ecdf.reference), borderColor: colors.reference, backgroundColor: colors.reference, stepped: 'after', pointRadius: 0, borderWidth: 2 },
        { label: 'Current', data: points(detail.ecdf.current), borderColor: colors.current, backgroundColor: colors.current, stepped: 'after', pointRadius: 0, borderWidth: 2 },
      ],
    },
    options: { ...options, parsing: false, scales: { ...options.scales, x: { ...options.scales.x, type: 'linear' }, y: { ...options.scales.y, min: 0, max: 1 } } },
    plugins: [backgroundPlugin(readTheme), ksMarker(detail, theme.foreground)],
  });
}

/** A column's score in each chunk, with the line it is flagged past. */
export function scoreOverTimeChart(canvas: HTMLCanvasElement, column: string, chunks: readonly Chunk[], chunkLabels: string[], scoreOf: (chunk: Chunk) => { score: number; threshold: number; drift: boolean } | undefined, scoreName: string): Chart {
  const theme = readTheme();
  const colors = sideColors();
  const values = chunks.map(scoreOf);
  const options = baseOptions(theme, 'Chunk', scoreName);
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: chunkLabels,
      datasets: [
        {
          label: column,
          data: values.map((value) => value?.score ?? null),
          borderColor: colors.current,
          backgroundColor: colors.current,
          pointRadius: values.map((value) => (value?.drift ? 5 : 3)),
          pointStyle: values.map((value) => (value?.drift ? 'crossRot' : 'circle')),
          borderWidth: 2,
        },
        { label: 'Threshold', data: values.map((value) => value?.threshold ?? null), borderColor: theme.muted, borderDash: [6, 4], pointRadius: 0, borderWidth: 1 },
      ],
    },
    options,
    plugins: [backgroundPlugin(readTheme)],
  });
}

export type { CategoricalDetail, NumericalDetail };
export { Chart };
