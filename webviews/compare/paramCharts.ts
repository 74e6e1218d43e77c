import type { ChartDataset, TooltipItem } from 'chart.js';
import { type CompareColumn, cellValue } from '../../src/compare/compareTable.ts';
import { formatMetricValue, formatParamValue } from '../../src/platform/format.ts';
import { h, icon } from '../shared/dom.ts';
import { Chart, type ChartTheme, backgroundPlugin, withAlpha } from './chartSupport.ts';
import type { PageRun } from './runTable.ts';

export interface ParamChartsHost {
  choose(setting: 'parallelMetric' | 'scatterParam' | 'scatterMetric', value: string): void;
  exportPng(name: string, dataUrl: string): void;
}

export interface ParamChartChoices {
  parallelMetric: string | null;
  scatterParam: string | null;
  scatterMetric: string | null;
}

type Value = ReturnType<typeof cellValue>;
const MAX_PARALLEL_PARAMS = 12;

/** Maps one column's values onto [0, 1]: numbers by their range, anything else by its rank among the values. */
interface Axis {
  column: CompareColumn;
  position(value: Value): number | null;
  labels: [low: string, high: string];
  categories?: string[];
}

function isMissing(value: Value): boolean {
  return value === undefined || value === null || (typeof value === 'number' && !Number.isFinite(value));
}

function axisOf(column: CompareColumn, runs: PageRun[]): Axis | undefined {
  const values = runs.map((run) => cellValue(run, column)).filter((value) => !isMissing(value));
  if (values.length === 0) return undefined;
  if (values.every((value) => typeof value === 'number')) {
    const numbers = values as number[];
    const low = Math.min(...numbers);
    const high = Math.max(...numbers);
    return {
      column,
      position: (value) => (typeof value === 'number' && Number.isFinite(value) ? (high === low ? 0.5 : (value - low) / (high - low)) : null),
      labels: [formatMetricValue(low), formatMetricValue(high)],
    };
  }
  const categories = [...new Set(values.map((value) => formatParamValue(value)))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return {
    column,
    categories,
    position: (value) => {
      if (isMissing(value)) return null;
      const index = categories.indexOf(formatParamValue(value));
      return categories.length === 1 ? 0.5 : index / (categories.length - 1);
    },
    labels: [categories[0] as string, categories[categories.length - 1] as string],
  };
}

function select(label: string, options: string[], value: string | null, onChange: (value: string) => void): HTMLElement {
  const element = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  element.setAttribute('aria-label', label);
  for (const option of options) {
    const item = document.createElement('vscode-option');
    item.setAttribute('value', option);
    item.textContent = option;
    if (option === value) item.setAttribute('selected', '');
    element.append(item);
  }
  element.addEventListener('change', () => onChange(element.value));
  return h('label', {}, `${label} `, element);
}

/** Parallel coordinates (params -> a chosen metric) and a scatter of a param against a metric, both chart.js. */
export class ParamCharts {
  readonly element: HTMLElement;
  private readonly host: ParamChartsHost;
  private readonly parallelControls = h('div', { className: 'toolbar' });
  private readonly scatterControls = h('div', { className: 'toolbar' });
  private readonly parallelCanvas = h('canvas', { attributes: { role: 'img', 'aria-label': 'Parallel coordinates of parameters and a metric' } });
  private readonly scatterCanvas = h('canvas', { attributes: { role: 'img', 'aria-label': 'Scatter of a parameter against a metric' } });
  private readonly parallelCard: HTMLElement;
  private readonly scatterCard: HTMLElement;
  private parallel: Chart<'line', Array<{ x: number; y: number | null }>> | undefined;
  private scatter: Chart<'scatter', Array<{ x: number; y: number }>> | undefined;
  private theme: () => ChartTheme;
  private visible = false;
  private pending: Parameters<ParamCharts['draw']> | undefined;

  constructor(host: ParamChartsHost, theme: () => ChartTheme) {
    this.host = host;
    this.theme = theme;
    const card = (title: string, controls: HTMLElement, canvas: HTMLCanvasElement, name: string) =>
      h(
        'section',
        { className: 'chart-card', attributes: { 'data-chart': name, 'aria-label': title } },
        h('header', {}, h('h3', {}, title), h('button', { className: 'icon-button', attributes: { title: 'Export as PNG', 'aria-label': `Export ${title} as PNG` }, on: { click: () => this.exportPng(name) } }, icon('desktop-download'))),
        controls,
        h('div', { className: 'chart-frame' }, canvas),
      );
    this.parallelCard = card('Parallel coordinates', this.parallelControls, this.parallelCanvas, 'parallel');
    this.scatterCard = card('Parameter vs metric', this.scatterControls, this.scatterCanvas, 'scatter');
    this.element = h('div', { className: 'param-charts' }, this.parallelCard, this.scatterCard);
    // Drawn once scrolled into view: the metric charts above come first.
    new IntersectionObserver(
      ([entry]) => {
        this.visible = entry?.isIntersecting ?? false;
        if (this.visible && this.pending) this.draw(...this.pending);
      },
      { rootMargin: '200px 0px' },
    ).observe(this.element);
  }

  update(runs: PageRun[], columns: CompareColumn[], differing: ReadonlySet<string>, choices: ParamChartChoices, hiddenRuns: ReadonlySet<string>): void {
    this.pending = [runs, columns, differing, choices, hiddenRuns];
    if (this.visible) this.draw(...this.pending);
  }

  private draw(runs: PageRun[], columns: CompareColumn[], differing: ReadonlySet<string>, choices: ParamChartChoices, hiddenRuns: ReadonlySet<string>): void {
    this.pending = undefined;
    const metrics = columns.filter((column) => column.kind === 'metric');
    const params = columns.filter((column) => column.kind === 'param');
    const shownRuns = runs.filter((run) => !hiddenRuns.has(run.id));
    const parallelMetric = metrics.find((column) => column.name === choices.parallelMetric) ?? metrics[0];
    const scatterMetric = metrics.find((column) => column.name === choices.scatterMetric) ?? metrics[0];
    const preferredParams = params.filter((column) => differing.has(column.id));
    const scatterParam = params.find((column) => column.name === choices.scatterParam) ?? preferredParams[0] ?? params[0];
    this.parallelControls.replaceChildren(metrics.length ? select('Metric', metrics.map((column) => column.name), parallelMetric?.name ?? null, (value) => this.host.choose('parallelMetric', value)) : h('span', { className: 'note' }, 'No metrics to compare.'));
    this.scatterControls.replaceChildren(
      params.length ? select('Parameter', params.map((column) => column.name), scatterParam?.name ?? null, (value) => this.host.choose('scatterParam', value)) : h('span', { className: 'note' }, 'No parameters recorded.'),
      ...(metrics.length ? [select('Metric', metrics.map((column) => column.name), scatterMetric?.name ?? null, (value) => this.host.choose('scatterMetric', value))] : []),
    );
    const axisColumns = [...(preferredParams.length ? preferredParams : params).slice(0, MAX_PARALLEL_PARAMS), ...(parallelMetric ? [parallelMetric] : [])];
    this.drawParallel(shownRuns, axisColumns.map((column) => axisOf(column, shownRuns)).filter((axis): axis is Axis => axis !== undefined));
    this.drawScatter(shownRuns, scatterParam, scatterMetric);
  }

  private drawParallel(runs: PageRun[], axes: Axis[]): void {
    const theme = this.theme();
    const datasets: ChartDataset<'line', Array<{ x: number; y: number | null }>>[] = runs.map((run) => ({
      label: run.name,
      data: axes.map((axis, index) => ({ x: index, y: axis.position(cellValue(run, axis.column)) })),
      borderColor: withAlpha(run.color, 0.8),
      backgroundColor: run.color,
      borderWidth: 1.5,
      pointRadius: 2,
    }));
    const axisLabels: import('chart.js').Plugin = {
      id: 'parallelAxes',
      afterDraw: (chart) => {
        const { ctx, chartArea, scales } = chart;
        ctx.save();
        ctx.strokeStyle = theme.muted;
        ctx.fillStyle = theme.foreground;
        ctx.font = `11px ${theme.font}`;
        ctx.textAlign = 'center';
        axes.forEach((axis, index) => {
          const x = scales.x!.getPixelForValue(index);
          ctx.beginPath();
          ctx.moveTo(x, chartArea.top);
          ctx.lineTo(x, chartArea.bottom);
          ctx.stroke();
          ctx.fillText(truncate(axis.labels[1]), x, chartArea.top - 4);
          ctx.fillText(truncate(axis.labels[0]), x, chartArea.bottom + 12);
        });
        ctx.restore();
      },
    };
    this.parallel?.destroy();
    this.parallel = new Chart<'line', Array<{ x: number; y: number | null }>>(this.parallelCanvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        layout: { padding: { top: 16, bottom: 4, left: 8, right: 8 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            mode: 'nearest',
            intersect: true,
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => items[0]?.dataset.label ?? '',
              label: (item: TooltipItem<'line'>) => {
                const axis = axes[item.dataIndex];
                const run = runs[item.datasetIndex];
                return axis && run ? `${axis.column.name}: ${formatParamValue(cellValue(run, axis.column))}` : '';
              },
            },
          },
        },
        scales: {
          x: { type: 'linear', min: -0.05, max: Math.max(1, axes.length - 1) + 0.05, grid: { display: false }, afterBuildTicks: (scale) => { scale.ticks = axes.map((_, index) => ({ value: index })); }, ticks: { color: theme.foreground, callback: (value) => truncate(axes[Number(value)]?.column.name ?? '') } },
          y: { display: false, min: -0.02, max: 1.02 },
        },
      },
      plugins: [backgroundPlugin(this.theme), axisLabels],
    });
    this.parallelCard.setAttribute('data-painted', String(datasets.length > 0 && axes.length > 0));
  }

  private drawScatter(runs: PageRun[], param: CompareColumn | undefined, metric: CompareColumn | undefined): void {
    const theme = this.theme();
    this.scatter?.destroy();
    this.scatter = undefined;
    if (!param || !metric) {
      this.scatterCard.setAttribute('data-painted', 'false');
      return;
    }
    const axis = axisOf(param, runs);
    const categories = axis?.categories;
    const datasets: ChartDataset<'scatter', Array<{ x: number; y: number }>>[] = [];
    for (const run of runs) {
      const x = cellValue(run, param);
      const y = cellValue(run, metric);
      if (isMissing(x) || typeof y !== 'number' || !Number.isFinite(y)) continue;
      const position = categories ? categories.indexOf(formatParamValue(x)) : (x as number);
      datasets.push({ label: run.name, data: [{ x: position, y }], backgroundColor: run.color, borderColor: run.color, pointRadius: 5, pointHoverRadius: 7 });
    }
    this.scatter = new Chart<'scatter', Array<{ x: number; y: number }>>(this.scatterCanvas, {
      type: 'scatter',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item: TooltipItem<'scatter'>) => `${item.dataset.label}: ${param.name} ${categories ? categories[item.parsed.x as number] : formatMetricValue(item.parsed.x as number)}, ${metric.name} ${formatMetricValue(item.parsed.y as number)}` } },
        },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: param.name, color: theme.muted },
            ticks: { color: theme.muted, ...(categories ? { stepSize: 1, callback: (value: number | string) => categories[Number(value)] ?? '' } : {}) },
            grid: { color: theme.grid },
            ...(categories ? { min: -0.5, max: categories.length - 0.5 } : {}),
          },
          y: { title: { display: true, text: metric.name, color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid } },
        },
      },
      plugins: [backgroundPlugin(this.theme)],
    });
    this.scatterCard.setAttribute('data-painted', String(datasets.length > 0));
  }

  private exportPng(name: string): void {
    const chart = name === 'parallel' ? this.parallel : this.scatter;
    if (chart) this.host.exportPng(name === 'parallel' ? 'parallel-coordinates' : 'param-vs-metric', chart.toBase64Image('image/png', 1));
  }
}

function truncate(text: string, length = 18): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
