import '../shared/base.css';
import './compare.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { CompareRunData, CompareSettings, FromCompare, ToCompare, XAxis } from '../../src/compare/compareProtocol.ts';
import { type CompareColumn, buildColumns, differingColumns, sortRuns, toCsv, toMarkdown } from '../../src/compare/compareTable.ts';
import { assignRunColors } from '../../src/compare/runColors.ts';
import { decodeJsonNumber } from '../../src/platform/jsonNumbers.ts';
import { h, icon } from '../shared/dom.ts';
import { connect } from '../shared/vscodeApi.ts';
import { X_AXIS_LABELS, onThemeChange } from './chartSupport.ts';
import { MetricCharts } from './metricCharts.ts';
import { ParamCharts } from './paramCharts.ts';
import { type PageRun, RunTable } from './runTable.ts';

const vscode = connect<FromCompare, never>();
const app = document.getElementById('app') as HTMLElement;

let settings: CompareSettings | undefined;
const runs = new Map<string, PageRun>();
let nextRequestId = 1;

function post(message: FromCompare): void {
  vscode.postMessage(message);
}

function changeSettings(change: Partial<CompareSettings>): void {
  if (!settings) return;
  settings = { ...settings, ...change };
  post({ type: 'settings', settings: change });
  render();
}

function toPageRun(data: CompareRunData): PageRun {
  const metrics: PageRun['metrics'] = {};
  for (const [name, summary] of Object.entries(data.metrics)) {
    Object.defineProperty(metrics, name, {
      value: { last: decodeJsonNumber(summary.last), min: decodeJsonNumber(summary.min), max: decodeJsonNumber(summary.max), step: summary.step, count: summary.count },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const run: PageRun = { id: data.key, runId: data.id, name: data.name, experiment: data.experiment, status: data.status, params: data.params, metrics, color: '' };
  if (data.source) run.source = data.source;
  if (data.startTime !== undefined) run.startTime = data.startTime;
  if (data.endTime !== undefined) run.endTime = data.endTime;
  return run;
}

function recolor(): void {
  const colors = assignRunColors([...runs.values()].map((run) => run.runId));
  for (const run of runs.values()) run.color = colors.get(run.runId) as string;
}

// ---- Layout --------------------------------------------------------------------------------------------------

const summary = h('span', { className: 'summary', attributes: { role: 'status' } });
const onlyDiffering = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
onlyDiffering.setAttribute('label', 'Only what differs');
onlyDiffering.id = 'only-differing';
onlyDiffering.addEventListener('change', () => changeSettings({ onlyDiffering: onlyDiffering.checked }));

function toolbarButton(label: string, codicon: string, onClick: () => void, id: string): HTMLElement {
  const button = document.createElement('vscode-button');
  button.setAttribute('secondary', '');
  button.setAttribute('icon', codicon);
  button.id = id;
  button.textContent = label;
  button.addEventListener('click', onClick);
  return button;
}

const columnsButton = toolbarButton('Columns…', 'list-selection', () => toggleColumnChooser(), 'columns-button');
const columnChooser = h('div', { className: 'column-chooser', attributes: { role: 'dialog', 'aria-label': 'Show or hide columns' } });
columnChooser.hidden = true;

const table = new RunTable({
  openRun: (key) => post({ type: 'openRun', run: key }),
  removeRun: (key) => post({ type: 'removeRun', run: key }),
  toggleBaseline: (key) => changeSettings({ baseline: settings?.baseline === key ? null : key }),
  sortBy: (column) => {
    const current = settings?.sort;
    changeSettings({ sort: current?.column === column ? (current.descending ? null : { column, descending: true }) : { column, descending: false } });
  },
});

const xAxisSelect = document.createElement('vscode-single-select') as HTMLElement & { value: string };
xAxisSelect.id = 'x-axis';
xAxisSelect.setAttribute('aria-label', 'X-axis');
for (const axis of ['step', 'relative', 'wall'] as XAxis[]) {
  const option = document.createElement('vscode-option');
  option.setAttribute('value', axis);
  option.textContent = X_AXIS_LABELS[axis];
  xAxisSelect.append(option);
}
xAxisSelect.addEventListener('change', () => changeSettings({ xAxis: xAxisSelect.value as XAxis }));

const logScale = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
logScale.setAttribute('label', 'Log scale');
logScale.id = 'log-scale';
logScale.addEventListener('change', () => changeSettings({ yScale: logScale.checked ? 'log' : 'linear' }));

const smoothing = h('input', { attributes: { type: 'range', min: '0', max: '0.99', step: '0.01', id: 'smoothing', 'aria-label': 'Smoothing (exponential moving average weight)' } }) as HTMLInputElement;
const smoothingValue = h('span', { className: 'summary' });
smoothing.addEventListener('input', () => {
  smoothingValue.textContent = Number(smoothing.value).toFixed(2);
});
smoothing.addEventListener('change', () => changeSettings({ smoothing: Number(smoothing.value) }));

const legend = h('div', { className: 'legend', attributes: { role: 'group', 'aria-label': 'Runs in the charts: click to hide or show' } });

const charts = new MetricCharts(
  {
    requestSeries(metric, xAxis, range) {
      const requestId = nextRequestId++;
      performance.mark(`mltrail:request:${metric}`);
      post({ type: 'requestSeries', requestId, metric, xAxis, range });
      return requestId;
    },
    releaseSeries: (metric) => post({ type: 'releaseSeries', metric }),
    exportPng: (name, dataUrl) => post({ type: 'exportPng', name, dataUrl }),
  },
  { xAxis: 'step', yScale: 'linear', smoothing: 0.6, hiddenRuns: new Set() },
);

const params = new ParamCharts(
  {
    choose: (setting, value) => changeSettings({ [setting]: value }),
    exportPng: (name, dataUrl) => post({ type: 'exportPng', name, dataUrl }),
  },
  () => charts.theme,
);

const emptyState = h(
  'div',
  { className: 'empty' },
  h('p', {}, 'No runs to compare. Select runs in the Experiments view and choose Compare Runs, or add them here.'),
  toolbarButton('Add Runs…', 'add', () => post({ type: 'addRuns' }), 'add-runs-empty'),
);

const content = h(
  'div',
  { className: 'content' },
  h(
    'div',
    { className: 'toolbar' },
    summary,
    h('span', { className: 'spacer' }),
    onlyDiffering,
    columnsButton,
    toolbarButton('Copy CSV', 'copy', () => copy('csv'), 'copy-csv'),
    toolbarButton('Copy Markdown', 'markdown', () => copy('markdown'), 'copy-markdown'),
    toolbarButton('Add Runs…', 'add', () => post({ type: 'addRuns' }), 'add-runs'),
  ),
  columnChooser,
  table.element,
  h('h2', {}, 'Metrics'),
  h('div', { className: 'toolbar' }, h('label', {}, 'X-axis ', xAxisSelect), logScale, h('label', { attributes: { for: 'smoothing' } }, 'Smoothing ', smoothing, smoothingValue), h('span', { className: 'summary' }, 'Drag across a chart to zoom; double-click to reset.')),
  legend,
  charts.element,
  h('h2', {}, 'Parameters'),
  params.element,
);

// ---- Rendering -----------------------------------------------------------------------------------------------

interface TableView {
  all: CompareColumn[];
  differing: Set<string>;
  shown: CompareColumn[];
  sorted: PageRun[];
}

let view: TableView | undefined;

function computeView(current: CompareSettings): TableView {
  const list = [...runs.values()];
  const all = buildColumns(list);
  const differing = differingColumns(list, all);
  const hidden = new Set(current.hiddenColumns);
  const shown = all.filter((column) => !hidden.has(column.id) && (!current.onlyDiffering || differing.has(column.id)));
  let sorted = current.sort && all.some((column) => column.id === current.sort?.column) ? (sortRuns(list, current.sort.column, current.sort.descending) as PageRun[]) : list;
  // The baseline leads, so deltas read downwards from it.
  const baseline = current.baseline ? runs.get(current.baseline) : undefined;
  if (baseline) sorted = [baseline, ...sorted.filter((run) => run !== baseline)];
  return { all, differing, shown, sorted };
}

function render(): void {
  if (!settings) return;
  if (runs.size === 0) {
    app.replaceChildren(emptyState);
    return;
  }
  if (!content.isConnected) app.replaceChildren(content);
  view = computeView(settings);
  const { all, differing, shown, sorted } = view;
  summary.textContent = `${runs.size.toLocaleString('en-US')} runs · ${shown.length} of ${all.length} columns shown · ${differing.size} differ`;
  onlyDiffering.checked = settings.onlyDiffering;
  xAxisSelect.value = settings.xAxis;
  logScale.checked = settings.yScale === 'log';
  smoothing.value = String(settings.smoothing);
  smoothingValue.textContent = settings.smoothing.toFixed(2);
  table.setData(sorted, shown, settings.baseline, settings.sort);
  renderLegend(sorted);
  const hiddenRuns = new Set(settings.hiddenRuns);
  charts.setOptions({ xAxis: settings.xAxis, yScale: settings.yScale, smoothing: settings.smoothing, hiddenRuns });
  charts.setRuns(sorted);
  const hiddenColumns = new Set(settings.hiddenColumns);
  charts.setMetrics(all.filter((column) => column.kind === 'metric' && !hiddenColumns.has(column.id)).map((column) => column.name));
  params.update(sorted, all, differing, settings, hiddenRuns);
  if (!columnChooser.hidden) renderColumnChooser();
}

let renderPending = false;

/** Live runs update often: the page is drawn again at most once a frame. */
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function renderLegend(sorted: PageRun[]): void {
  const hidden = new Set(settings?.hiddenRuns ?? []);
  legend.replaceChildren(
    ...sorted.map((run) => {
      const swatch = h('span', { className: 'swatch' });
      swatch.style.background = run.color;
      const isHidden = hidden.has(run.id);
      return h(
        'button',
        {
          className: `legend-entry${isHidden ? ' hidden-run' : ''}`,
          attributes: { 'aria-pressed': String(!isHidden), title: isHidden ? `Show ${run.name} in the charts` : `Hide ${run.name} from the charts`, 'data-run': run.id },
          on: {
            click: () => {
              const next = new Set(hidden);
              if (isHidden) next.delete(run.id);
              else next.add(run.id);
              changeSettings({ hiddenRuns: [...next] });
            },
          },
        },
        swatch,
        run.name,
      );
    }),
  );
}

let chooserFilter = '';

function toggleColumnChooser(): void {
  columnChooser.hidden = !columnChooser.hidden;
  if (columnChooser.hidden) return;
  const anchor = columnsButton.getBoundingClientRect();
  columnChooser.style.top = `${anchor.bottom + window.scrollY + 4}px`;
  columnChooser.style.left = `${Math.max(8, anchor.right - 320)}px`;
  renderColumnChooser();
  (columnChooser.querySelector('vscode-textfield') as HTMLElement | null)?.focus();
}

function renderColumnChooser(): void {
  if (!view || !settings) return;
  const hidden = new Set(settings.hiddenColumns);
  const filter = document.createElement('vscode-textfield') as HTMLElement & { value: string };
  filter.setAttribute('placeholder', 'Filter columns');
  filter.setAttribute('aria-label', 'Filter columns');
  filter.value = chooserFilter;
  const list = h('div', { className: 'column-list' });
  const fill = () => {
    const text = chooserFilter.toLowerCase();
    list.replaceChildren(
      ...(view?.all ?? [])
        .filter((column) => column.name.toLowerCase().includes(text))
        .map((column) => {
          const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
          box.setAttribute('label', `${column.kind === 'info' ? '' : column.kind === 'param' ? 'param · ' : 'metric · '}${column.name}`);
          box.setAttribute('data-column', column.id);
          box.checked = !hidden.has(column.id);
          box.addEventListener('change', () => {
            const next = new Set(settings?.hiddenColumns ?? []);
            if (box.checked) next.delete(column.id);
            else next.add(column.id);
            changeSettings({ hiddenColumns: [...next] });
          });
          return box;
        }),
    );
  };
  filter.addEventListener('input', () => {
    chooserFilter = filter.value;
    fill();
  });
  fill();
  const setAll = (show: boolean) => changeSettings({ hiddenColumns: show ? [] : (view?.all ?? []).map((column) => column.id) });
  columnChooser.replaceChildren(
    filter,
    h('div', { className: 'toolbar' }, toolbarButton('Show All', 'eye', () => setAll(true), 'show-all-columns'), toolbarButton('Hide All', 'eye-closed', () => setAll(false), 'hide-all-columns'), toolbarButton('Close', 'close', () => toggleColumnChooser(), 'close-columns')),
    list,
  );
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !columnChooser.hidden) {
    columnChooser.hidden = true;
    columnsButton.focus();
  }
});

function copy(format: 'csv' | 'markdown'): void {
  if (!view) return;
  const text = format === 'csv' ? toCsv(view.sorted, view.shown) : toMarkdown(view.sorted, view.shown);
  post({ type: 'copy', format, text });
}

// ---- Messages ------------------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ToCompare>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      performance.mark('mltrail:init');
      settings = message.settings;
      runs.clear();
      for (const data of message.runs) runs.set(data.key, toPageRun(data));
      recolor();
      render();
      charts.reloadAll();
      return;
    case 'runs': {
      const added = message.upsert.some((data) => !runs.has(data.key));
      for (const key of message.removed) runs.delete(key);
      for (const data of message.upsert) runs.set(data.key, toPageRun(data));
      recolor();
      scheduleRender();
      if (added) charts.reloadAll();
      return;
    }
    case 'series':
      performance.mark(`mltrail:series:${message.metric}`);
      charts.applySeries(message);
      return;
    case 'append':
      charts.append(message);
      return;
    case 'exported':
      return;
  }
});

onThemeChange(() => {
  charts.refreshTheme();
  render();
});

app.replaceChildren(h('p', { className: 'empty' }, icon('loading'), ' Loading runs…'));
performance.mark('mltrail:ready');
post({ type: 'ready' });
