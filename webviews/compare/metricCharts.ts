import type { ChartDataset } from 'chart.js';
import type { SeriesPayload, ToCompare, XAxis, YScale } from '../../src/compare/compareProtocol.ts';
import { emaSmooth } from '../../src/compare/smoothing.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { h, icon } from '../shared/dom.ts';
import { Chart, type ChartTheme, X_AXIS_LABELS, backgroundPlugin, formatX, nearestIndex, readTheme, withAlpha } from './chartSupport.ts';
import type { PageRun } from './runTable.ts';

export interface MetricChartsHost {
  requestSeries(metric: string, xAxis: XAxis, range: [number, number] | null): number;
  releaseSeries(metric: string): void;
  exportPng(name: string, dataUrl: string): void;
}

export interface ChartOptions {
  xAxis: XAxis;
  yScale: YScale;
  smoothing: number;
  hiddenRuns: ReadonlySet<string>;
}

interface Series {
  x: number[];
  y: number[];
  band?: SeriesPayload['band'];
  total: number;
}

/** Live appends grow a series past its reduction; past this many points the host is asked for a fresh one. */
const RELOAD_AFTER_POINTS = 6000;
const MIN_DRAG_PIXELS = 6;
const MAX_RUNS_WITH_RAW_LINE = 20;

type Point = { x: number; y: number };

function points(xs: readonly number[], ys: ArrayLike<number>): Point[] {
  const result = new Array<Point>(xs.length);
  for (let index = 0; index < xs.length; index++) result[index] = { x: xs[index] as number, y: ys[index] as number };
  return result;
}

/** One metric's card: a line per run, drag to zoom (asking the host for that range in full detail), hover values. */
class MetricChart {
  readonly metric: string;
  readonly card: HTMLElement;
  private readonly frame: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly note: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly cursorLine: HTMLElement;
  private readonly zoomBox: HTMLElement;
  private readonly resetButton: HTMLElement;
  private chart: Chart<'line', Point[]> | undefined;
  private series = new Map<string, Series>();
  /** The x-axis and range of the data held, or of the request on its way. */
  private loaded: { xAxis: XAxis; range: [number, number] | null } | undefined;
  private pendingRequest: number | undefined;
  private range: [number, number] | null = null;
  /** The values each drawn line shows (smoothed or raw), for the hover readout. */
  private shownValues = new Map<string, ArrayLike<number>>();
  private readonly listeners = new AbortController();
  private readonly owner: MetricCharts;
  private visible = false;

  constructor(metric: string, owner: MetricCharts) {
    this.metric = metric;
    this.owner = owner;
    this.canvas = h('canvas', { attributes: { role: 'img', 'aria-label': `Line chart of ${metric} for each compared run` } });
    this.tooltip = h('div', { className: 'chart-tooltip', attributes: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.cursorLine = h('div', { className: 'zoom-box' });
    this.cursorLine.style.width = '1px';
    this.cursorLine.hidden = true;
    this.zoomBox = h('div', { className: 'zoom-box' });
    this.zoomBox.hidden = true;
    this.frame = h('div', { className: 'chart-frame' }, this.canvas, this.cursorLine, this.zoomBox, this.tooltip);
    this.note = h('span', { className: 'note' });
    this.resetButton = h('button', { className: 'icon-button', attributes: { title: 'Reset zoom (or double-click the chart)', 'aria-label': `Reset zoom of ${metric}` }, on: { click: () => this.zoom(null) } }, icon('zoom-out'));
    this.resetButton.hidden = true;
    const exportButton = h('button', { className: 'icon-button', attributes: { title: 'Export as PNG', 'aria-label': `Export ${metric} chart as PNG` }, on: { click: () => this.exportPng() } }, icon('desktop-download'));
    this.card = h('section', { className: 'chart-card', attributes: { 'data-metric': metric, 'aria-label': metric } }, h('header', {}, h('h3', { attributes: { title: metric } }, metric), this.note, this.resetButton, exportButton), this.frame);
    this.listen();
  }

  /** Asks for data when the card is in view and what it holds is not for the current x-axis and range. */
  ensureData(): void {
    const xAxis = this.owner.options.xAxis;
    if (!this.visible || (this.loaded && this.loaded.xAxis === xAxis && this.loaded.range === this.range)) return;
    this.loaded = { xAxis, range: this.range };
    this.card.setAttribute('data-painted', 'false');
    this.pendingRequest = this.owner.host.requestSeries(this.metric, xAxis, this.range);
    this.note.textContent = 'Loading…';
  }

  /**
   * Out of view, a chart stops taking live points (the host stops reading them for it) and keeps what it drew;
   * back in view, it asks for its series again.
   */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!visible && this.loaded && this.pendingRequest === undefined) {
      this.loaded = undefined;
      this.owner.host.releaseSeries(this.metric);
    }
    this.ensureData();
  }

  invalidate(): void {
    this.loaded = undefined;
    this.range = null;
    this.ensureData();
  }

  applySeries(message: Extract<ToCompare, { type: 'series' }>): void {
    if (message.requestId !== this.pendingRequest) return;
    this.pendingRequest = undefined;
    this.series = new Map(message.series.map((series) => [series.run, { x: series.x, y: series.y, band: series.band, total: series.total }]));
    this.redraw();
  }

  append(message: Extract<ToCompare, { type: 'append' }>): void {
    if (!this.loaded || message.xAxis !== this.loaded.xAxis || this.pendingRequest !== undefined) return;
    let reload = false;
    for (const { run, x, y } of message.points) {
      let series = this.series.get(run);
      if (!series) this.series.set(run, (series = { x: [], y: [], total: 0 }));
      for (let index = 0; index < x.length; index++) {
        series.x.push(x[index] as number);
        series.y.push(y[index] as number);
      }
      series.total += x.length;
      if (series.x.length > RELOAD_AFTER_POINTS) reload = true;
    }
    if (reload) {
      this.loaded = undefined;
      this.ensureData();
      return;
    }
    this.redraw();
  }

  dropRun(run: string): void {
    if (this.series.delete(run)) this.redraw();
  }

  redraw(): void {
    if (!this.loaded || this.pendingRequest !== undefined) return;
    const { options, theme } = this.owner;
    const datasets: ChartDataset<'line', Point[]>[] = [];
    let reduced = 0;
    let shown = 0;
    const shownValues = new Map<string, ArrayLike<number>>();
    for (const run of this.owner.runs) {
      const series = this.series.get(run.id);
      if (!series || options.hiddenRuns.has(run.id)) continue;
      shown += 1;
      if (series.total > series.x.length) reduced += 1;
      if (series.band) {
        datasets.push({ label: `${run.name} min`, data: points(series.band.x, series.band.min), borderWidth: 0, pointRadius: 0, fill: false });
        datasets.push({ label: `${run.name} max`, data: points(series.band.x, series.band.max), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: withAlpha(run.color, 0.14) });
      }
      const smoothed = options.smoothing > 0;
      // The faint raw line behind a smoothed one helps with a few runs; with many it is only clutter (and time).
      if (smoothed && this.owner.runs.length <= MAX_RUNS_WITH_RAW_LINE) datasets.push({ label: `${run.name} raw`, data: points(series.x, series.y), borderColor: withAlpha(run.color, 0.28), borderWidth: 1, pointRadius: 0 });
      const values = smoothed ? emaSmooth(series.y, options.smoothing) : series.y;
      shownValues.set(run.id, values);
      datasets.push({ label: run.name, data: points(series.x, values), borderColor: run.color, borderWidth: 1.6, pointRadius: series.x.length === 1 ? 3 : 0, backgroundColor: run.color });
    }
    this.shownValues = shownValues;
    this.note.textContent = shown === 0 ? 'No data for the shown runs' : reduced > 0 ? `${reduced} of ${shown} runs reduced for display · drag to zoom` : '';
    this.resetButton.hidden = this.range === null;
    const xAxis = this.loaded.xAxis;
    const scales = {
      x: {
        type: 'linear' as const,
        min: this.range?.[0],
        max: this.range?.[1],
        title: { display: true, text: X_AXIS_LABELS[xAxis], color: theme.muted },
        ticks: { color: theme.muted, maxRotation: 0, callback: (value: number | string) => formatX(Number(value), xAxis, this.xSpan()) },
        grid: { color: theme.grid },
      },
      y: {
        type: options.yScale === 'log' ? ('logarithmic' as const) : ('linear' as const),
        ticks: { color: theme.muted, callback: (value: number | string) => formatMetricValue(Number(value)) },
        grid: { color: theme.grid },
      },
    };
    if (!this.chart) {
      this.chart = new Chart<'line', Point[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          spanGaps: true,
          events: [],
          elements: { line: { tension: 0 } },
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales,
        },
        plugins: [backgroundPlugin(() => this.owner.theme)],
      });
    } else {
      this.chart.data.datasets = datasets;
      this.chart.options.scales = scales;
      this.chart.update('none');
    }
    this.card.setAttribute('data-x-axis', xAxis);
    this.card.setAttribute('data-points', String([...this.series.values()].reduce((sum, series) => sum + series.x.length, 0)));
    requestAnimationFrame(() => {
      this.card.setAttribute('data-painted', String(datasets.length > 0));
      this.card.setAttribute('data-painted-at', String(Date.now()));
    });
  }

  destroy(): void {
    this.listeners.abort();
    this.chart?.destroy();
    this.owner.host.releaseSeries(this.metric);
  }

  private xSpan(): number {
    const scale = this.chart?.scales.x;
    return scale ? scale.max - scale.min : 0;
  }

  private zoom(range: [number, number] | null): void {
    this.range = range;
    if (this.chart?.options.scales?.x) {
      this.chart.options.scales.x.min = range?.[0];
      this.chart.options.scales.x.max = range?.[1];
      this.chart.update('none');
    }
    this.loaded = undefined;
    this.ensureData();
  }

  private exportPng(): void {
    if (this.chart) this.owner.host.exportPng(this.metric, this.chart.toBase64Image('image/png', 1));
  }

  private listen(): void {
    let dragFrom: number | undefined;
    const offsetX = (event: MouseEvent) => event.clientX - this.canvas.getBoundingClientRect().left;
    this.canvas.addEventListener('mousedown', (event) => {
      if (event.button === 0) dragFrom = offsetX(event);
    });
    this.canvas.addEventListener('mousemove', (event) => {
      const x = offsetX(event);
      if (dragFrom !== undefined && Math.abs(x - dragFrom) >= MIN_DRAG_PIXELS) {
        this.zoomBox.hidden = false;
        this.zoomBox.style.left = `${Math.min(x, dragFrom)}px`;
        this.zoomBox.style.width = `${Math.abs(x - dragFrom)}px`;
      }
      this.showValuesAt(x, event.clientY - this.canvas.getBoundingClientRect().top);
    });
    const signal = this.listeners.signal;
    window.addEventListener('mouseup', (event) => {
      if (dragFrom === undefined) return;
      const from = dragFrom;
      dragFrom = undefined;
      this.zoomBox.hidden = true;
      const to = offsetX(event);
      const scale = this.chart?.scales.x;
      if (!scale || Math.abs(to - from) < MIN_DRAG_PIXELS) return;
      const a = scale.getValueForPixel(Math.min(from, to)) as number;
      const b = scale.getValueForPixel(Math.max(from, to)) as number;
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) this.zoom([a, b]);
    }, { signal });
    this.canvas.addEventListener('mouseleave', () => {
      this.tooltip.hidden = true;
      this.cursorLine.hidden = true;
    });
    this.canvas.addEventListener('dblclick', () => this.zoom(null));
  }

  /** Every shown run's value at the hovered x (its nearest point), highest first. */
  private showValuesAt(pixelX: number, pixelY: number): void {
    const chart = this.chart;
    const xAxis = this.loaded?.xAxis;
    if (!chart || !xAxis || pixelX < chart.chartArea.left || pixelX > chart.chartArea.right) {
      this.tooltip.hidden = true;
      this.cursorLine.hidden = true;
      return;
    }
    const hovered = chart.scales.x!.getValueForPixel(pixelX) as number;
    const x = xAxis === 'step' ? Math.round(hovered) : hovered;
    const rows: Array<{ run: PageRun; value: number }> = [];
    for (const run of this.owner.runs) {
      const series = this.series.get(run.id);
      const values = this.shownValues.get(run.id);
      if (!series || !values) continue;
      const index = nearestIndex(series.x, x);
      if (index >= 0) rows.push({ run, value: values[index] as number });
    }
    rows.sort((a, b) => b.value - a.value);
    const shown = rows.slice(0, 12);
    this.tooltip.replaceChildren(
      h('div', {}, h('strong', {}, `${X_AXIS_LABELS[xAxis]} ${formatX(x, xAxis, this.xSpan())}`)),
      ...shown.map(({ run, value }) => {
        const swatch = h('span', { className: 'swatch' });
        swatch.style.background = run.color;
        return h('div', { className: 'tooltip-row' }, swatch, run.name, h('span', { className: 'tooltip-value' }, formatMetricValue(value)));
      }),
      ...(rows.length > shown.length ? [h('div', { className: 'note' }, `… ${rows.length - shown.length} more runs`)] : []),
    );
    this.tooltip.hidden = rows.length === 0;
    this.cursorLine.hidden = false;
    this.cursorLine.style.left = `${pixelX}px`;
    const frameWidth = this.frame.clientWidth;
    this.tooltip.style.left = pixelX > frameWidth / 2 ? '' : `${pixelX + 12}px`;
    this.tooltip.style.right = pixelX > frameWidth / 2 ? `${frameWidth - pixelX + 12}px` : '';
    this.tooltip.style.top = `${Math.max(0, Math.min(pixelY, this.frame.clientHeight - 60))}px`;
  }
}

/** The grid of metric charts, one card per metric; a card loads its data only once it scrolls into view. */
export class MetricCharts {
  readonly element: HTMLElement;
  readonly host: MetricChartsHost;
  options: ChartOptions;
  runs: PageRun[] = [];
  theme: ChartTheme = readTheme();
  private readonly charts = new Map<string, MetricChart>();
  private readonly observer: IntersectionObserver;

  constructor(host: MetricChartsHost, options: ChartOptions) {
    this.host = host;
    this.options = options;
    this.element = h('div', { className: 'charts' });
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const chart = this.charts.get((entry.target as HTMLElement).dataset.metric ?? '');
          if (!chart) continue;
          chart.setVisible(entry.isIntersecting);
        }
      },
      { rootMargin: '300px 0px' },
    );
  }

  /** The runs in table order (their colors and names); charts drop series of runs no longer compared. */
  setRuns(runs: PageRun[]): void {
    const keys = new Set(runs.map((run) => run.id));
    const dropped = this.runs.filter((run) => !keys.has(run.id)).map((run) => run.id);
    this.runs = runs;
    for (const chart of this.charts.values()) {
      for (const key of dropped) chart.dropRun(key);
      chart.redraw();
    }
  }

  /** One card per metric, in the order given; new metrics get a card, vanished ones lose theirs. */
  setMetrics(metrics: string[]): void {
    const wanted = new Set(metrics);
    for (const [metric, chart] of this.charts) {
      if (wanted.has(metric)) continue;
      this.observer.unobserve(chart.card);
      chart.destroy();
      chart.card.remove();
      this.charts.delete(metric);
    }
    const cards: HTMLElement[] = [];
    for (const metric of metrics) {
      let chart = this.charts.get(metric);
      if (!chart) {
        chart = new MetricChart(metric, this);
        this.charts.set(metric, chart);
        this.observer.observe(chart.card);
      }
      cards.push(chart.card);
    }
    this.element.replaceChildren(...cards);
  }

  setOptions(options: ChartOptions): void {
    const xAxisChanged = options.xAxis !== this.options.xAxis;
    this.options = options;
    for (const chart of this.charts.values()) {
      if (xAxisChanged) chart.invalidate();
      else chart.redraw();
    }
  }

  /** Runs were added: every chart needs their series too. */
  reloadAll(): void {
    for (const chart of this.charts.values()) chart.invalidate();
  }

  refreshTheme(): void {
    this.theme = readTheme();
    for (const chart of this.charts.values()) chart.redraw();
  }

  applySeries(message: Extract<ToCompare, { type: 'series' }>): void {
    this.charts.get(message.metric)?.applySeries(message);
  }

  append(message: Extract<ToCompare, { type: 'append' }>): void {
    this.charts.get(message.metric)?.append(message);
  }
}
