import '../shared/base.css';
import './driftReport.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ColumnDetail, Distribution } from '../../src/drift/columnDetail.ts';
import { type DriftReportState, type FromDriftReport, type ReportSnapshot, type ToDriftReport, applyToSnapshot } from '../../src/drift/driftReportProtocol.ts';
import type { Chunk, ColumnResult } from '../../src/drift/reportModel.ts';
import { fromJsonSafe } from '../../src/drift/reportNumbers.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { onThemeChange } from '../shared/chartTheme.ts';
import { h, icon } from '../shared/dom.ts';
import { connect } from '../shared/vscodeApi.ts';
import { type Chart, distributionChart, ecdfChart, scoreOverTimeChart } from './driftCharts.ts';


const vscode = connect<FromDriftReport, DriftReportState>();
const app = document.getElementById('app') as HTMLElement;

let snapshot: ReportSnapshot | undefined;
let progress = '';
let failure: { message: string; cancelled: boolean } | undefined;
let selected: string | undefined;
let selectedChunkColumn: string | undefined;
let charts: Chart[] = [];
let renderQueued = false;
let drawnDrillDown = '';

const METHOD_NAMES: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov',
  wasserstein: 'Wasserstein (normed)',
  psi: 'PSI',
  jensenshannon: 'Jensen–Shannon',
  chisquare: 'Chi-square',
  chi2contingency: 'Chi-square (contingency)',
  ztest: 'Z-test',
  hellinger: 'Hellinger',
  linf: 'L-infinity',
};

const format = (value: number | undefined | null) => (typeof value === 'number' ? formatMetricValue(value) : '');
const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)}%`;
const isTest = (column: ColumnResult) => column.pValue !== undefined;

/** How far past its threshold a column is (> 1 drifted): distances over the threshold, tests the threshold over p. */
function severity(column: ColumnResult): number {
  if (isTest(column)) return (column.pValue as number) <= 0 ? Number.MAX_VALUE : column.threshold / (column.pValue as number);
  return column.threshold <= 0 ? column.statistic : column.statistic / column.threshold;
}

function sortedColumns(columns: readonly ColumnResult[]): ColumnResult[] {
  return [...columns].sort((a, b) => Number(b.drift) - Number(a.drift) || severity(b) - severity(a) || a.name.localeCompare(b.name));
}

function post(message: FromDriftReport): void {
  vscode.postMessage(message);
}

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

window.addEventListener('message', (event: MessageEvent<ToDriftReport>) => {
  const message = fromJsonSafe(event.data);
  switch (message.type) {
    case 'init':
      snapshot = message;
      failure = undefined;
      drawnDrillDown = '';
      break;
    case 'progress':
      progress = message.message;
      break;
    case 'planned':
    case 'column':
    case 'done':
      if (!snapshot) return;
      applyToSnapshot(snapshot, message);
      if (message.type === 'done') drawnDrillDown = '';
      break;
    case 'failed':
      failure = { message: message.message, cancelled: message.cancelled };
      if (snapshot) applyToSnapshot(snapshot, message);
      break;
  }
  if (snapshot?.savedTo) vscode.setState({ reportFile: snapshot.savedTo });
  scheduleRender();
});

function button(label: string, iconName: string, onClick: () => void, id: string, secondary = true): HTMLElement {
  const element = h('vscode-button', { attributes: { id, ...(secondary ? { secondary: '' } : {}) }, on: { click: onClick } }, icon(iconName), ` ${label}`);
  return element;
}

function tableLabel(side: 'reference' | 'current'): HTMLElement {
  const table = snapshot?.header[side];
  if (!table) return h('span');
  const name = table.dataset ? `${table.dataset.name}@v${table.dataset.version}` : (table.file.split(/[\\/]/).pop() as string);
  const rows = table.rows ? ` · ${table.rows.toLocaleString('en-US')} rows` : '';
  return h('a', { className: 'table-link', attributes: { href: '#', title: table.file, id: `open-${side}` }, on: { click: (event) => (event.preventDefault(), post({ type: 'openFile', side })) } }, name, h('span', { className: 'muted' }, rows));
}

function headline(): HTMLElement {
  if (!snapshot) return h('p', { className: 'muted' }, icon('loading'), ' Loading the report…');
  const { columns, planned, verdict, running } = snapshot;
  const status = h('div', { className: 'verdict', attributes: { role: 'status', id: 'verdict' } });
  if (failure) {
    status.classList.add(failure.cancelled ? 'neutral' : 'error');
    status.append(icon(failure.cancelled ? 'circle-slash' : 'error'), ` ${failure.message}`);
  } else if (running || !verdict) {
    status.classList.add('neutral');
    status.append(icon('loading'), ` ${planned.length ? `Compared ${columns.length} of ${planned.length} columns` : progress || 'Reading the tables…'}`);
  } else {
    status.classList.add(verdict.datasetDrift ? 'drift' : 'ok');
    status.append(icon(verdict.datasetDrift ? 'warning' : 'pass'), ` Drift in ${verdict.drifted} of ${columns.length} columns; ${verdict.datasetDrift ? 'dataset drift detected' : 'no dataset drift'}`, h('span', { className: 'muted' }, ` (the dataset drifts at ${percent(verdict.driftShare)} of its columns)`));
  }
  const actions = h('div', { className: 'toolbar' });
  if (running && !failure) actions.append(button('Cancel', 'stop-circle', () => post({ type: 'cancel' }), 'cancel-check'));
  if (snapshot.savedTo) actions.append(button('Open JSON', 'json', () => post({ type: 'openReportJson' }), 'open-json'));
  const options = snapshot.header.options;
  const described = [options.method && options.method !== 'auto' ? `method ${options.method}` : 'methods: auto (Evidently’s defaults)', options.correction && options.correction !== 'none' ? `${options.correction} correction` : '', options.window ? `chunks of ${options.window}${options.timeColumn ? ` by ${options.timeColumn}` : ''}` : ''].filter(Boolean).join(' · ');
  return h('header', {}, h('h1', {}, tableLabel('reference'), h('span', { className: 'arrow' }, ' → '), tableLabel('current')), h('div', { className: 'subtitle muted' }, described, snapshot.header.time && !running ? ` · ${new Date(snapshot.header.time).toLocaleString()}` : ''), status, actions, problemsList());
}

function problemsList(): HTMLElement | null {
  if (!snapshot) return null;
  const lines = (['reference', 'current'] as const).flatMap((side) => snapshot!.header[side].problems.map((problem) => `${snapshot!.header[side].file.split(/[\\/]/).pop()}:${problem.line}: ${problem.message}`));
  if (lines.length === 0) return null;
  return h('details', { className: 'problems' }, h('summary', {}, icon('warning'), ` ${lines.length} line${lines.length === 1 ? '' : 's'} could not be read as they are`), h('ul', {}, ...lines.map((line) => h('li', {}, line))));
}

function resultsTable(): HTMLElement {
  const rows = sortedColumns(snapshot?.columns ?? []);
  const pending = (snapshot?.planned ?? []).filter((name) => !snapshot?.columns.some((column) => column.name === name) && !snapshot?.skipped.some((skip) => skip.name === name));
  const head = h('tr', {}, ...['Column', 'Type', 'Method', 'Score', 'p-value', 'Threshold', 'Drift', 'Missing (ref / cur)'].map((title) => h('th', { attributes: { scope: 'col' } }, title)));
  const body = h('tbody');
  for (const column of rows) {
    const missing = `${(column.reference.missing + column.reference.infinite).toLocaleString('en-US')} / ${(column.current.missing + column.current.infinite).toLocaleString('en-US')}`;
    const row = h(
      'tr',
      {
        className: `${column.drift ? 'drifted' : ''} ${column.name === selected ? 'selected' : ''}`,
        attributes: { tabindex: '0', 'aria-selected': String(column.name === selected), 'data-column': column.name },
        on: { click: () => select(column.name), keydown: (event) => onRowKey(event as KeyboardEvent, column.name, rows) },
      },
      h('th', { attributes: { scope: 'row' } }, column.name),
      h('td', {}, column.type),
      h('td', {}, METHOD_NAMES[column.method] ?? column.method),
      h('td', { className: 'number' }, format(column.statistic)),
      h('td', { className: 'number' }, format(column.pValue)),
      h('td', { className: 'number' }, format(column.threshold)),
      h('td', {}, column.drift ? h('span', { className: 'badge drift' }, icon('warning'), ' Drift') : h('span', { className: 'badge ok' }, 'No')),
      h('td', { className: 'number' }, missing),
    );
    body.append(row);
  }
  for (const name of pending) body.append(h('tr', { className: 'pending' }, h('th', { attributes: { scope: 'row' } }, name), h('td', { attributes: { colspan: '7' } }, icon('loading'), ' comparing…')));
  const skipped = snapshot?.skipped ?? [];
  return h(
    'section',
    {},
    h('table', { className: 'results', attributes: { 'aria-label': 'Columns, most drifted first' } }, h('thead', {}, head), body),
    skipped.length ? h('ul', { className: 'skipped muted' }, ...skipped.map((skip) => h('li', {}, icon('info'), ` ${skip.name}: ${skip.reason}`))) : null,
  );
}

function onRowKey(event: KeyboardEvent, name: string, rows: ColumnResult[]): void {
  const index = rows.findIndex((column) => column.name === name);
  const move = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
  if (move !== 0) {
    event.preventDefault();
    const next = rows[Math.max(0, Math.min(rows.length - 1, index + move))];
    if (next) {
      select(next.name);
      requestAnimationFrame(() => (document.querySelector(`tr[data-column="${CSS.escape(next.name)}"]`) as HTMLElement | null)?.focus());
    }
  } else if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select(name);
  }
}

function select(name: string): void {
  selected = name;
  scheduleRender();
}

/** The bins or categories that moved the most, as sentences. */
function whyItDrifted(column: ColumnResult, detail: ColumnDetail): HTMLElement {
  const items: Array<HTMLElement | string> = [];
  if (detail.kind === 'numerical') {
    const { ks, summary } = detail;
    items.push(`The distributions are farthest apart at ${format(ks.at)}: ${percent(ks.reference)} of reference rows and ${percent(ks.current)} of current rows are at or below it (KS distance ${format(ks.statistic)}).`);
    items.push(`Mean ${format(summary.reference.mean)} → ${format(summary.current.mean)}, median ${format(summary.reference.median)} → ${format(summary.current.median)}, standard deviation ${format(summary.reference.std)} → ${format(summary.current.std)}.`);
  } else {
    const appeared = detail.distribution.labels.filter((_, index) => detail.distribution.reference[index] === 0 && (detail.distribution.current[index] as number) > 0);
    const vanished = detail.distribution.labels.filter((_, index) => (detail.distribution.reference[index] as number) > 0 && detail.distribution.current[index] === 0);
    if (appeared.length) items.push(`Only in the current data: ${appeared.slice(0, 5).join(', ')}${appeared.length > 5 ? ` and ${appeared.length - 5} more` : ''}.`);
    if (vanished.length) items.push(`Gone from the current data: ${vanished.slice(0, 5).join(', ')}${vanished.length > 5 ? ` and ${vanished.length - 5} more` : ''}.`);
  }
  const top = topContributions(detail.distribution, 3);
  const psiTotal = detail.distribution.psi.reduce((sum, part) => sum + part, 0);
  const list = h('ol', { className: 'contributions' }, ...top.map((index) => h('li', {}, h('strong', {}, contributionLabel(detail.distribution, index)), `: ${percent(detail.distribution.reference[index] as number)} → ${percent(detail.distribution.current[index] as number)}`, h('span', { className: 'muted' }, ` (PSI part ${format(detail.distribution.psi[index])} of ${format(psiTotal)}, JS part ${format(detail.distribution.js[index])})`))));
  return h('div', { className: 'why' }, h('h3', {}, column.drift ? 'Why it drifted' : 'What changed most'), ...items.map((item) => h('p', {}, item)), h('p', { className: 'muted' }, `The ${detail.kind === 'numerical' ? 'bins' : 'categories'} that contribute most to PSI:`), list);
}

function topContributions(distribution: Distribution, count: number): number[] {
  return distribution.psi.map((_, index) => index).sort((a, b) => (distribution.psi[b] as number) - (distribution.psi[a] as number)).slice(0, count);
}

function contributionLabel(distribution: Distribution, index: number): string {
  const edges = distribution.edges;
  if (!edges) return distribution.labels[index] as string;
  const last = index === edges.length - 2;
  return `[${format(edges[index])}, ${format(edges[index + 1])}${last ? ']' : ')'}`;
}

function scoresTable(detail: ColumnDetail, column: ColumnResult): HTMLElement {
  const rows = Object.entries(detail.scores).map(([method, score]) => h('tr', { className: method === column.method ? 'chosen' : '' }, h('th', { attributes: { scope: 'row' } }, METHOD_NAMES[method] ?? method, method === column.method ? h('span', { className: 'muted' }, ' (decides)') : ''), h('td', { className: 'number' }, format(score.statistic)), h('td', { className: 'number' }, format(score.pValue))));
  return h('table', { className: 'scores', attributes: { 'aria-label': 'Every method on this column' } }, h('thead', {}, h('tr', {}, h('th', { attributes: { scope: 'col' } }, 'Method'), h('th', { attributes: { scope: 'col' } }, 'Statistic'), h('th', { attributes: { scope: 'col' } }, 'p-value'))), h('tbody', {}, ...rows));
}

function chartBox(id: string, label: string): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { attributes: { id, role: 'img', 'aria-label': label } });
  return { box: h('div', { className: 'chart' }, canvas), canvas };
}

function drillDown(): HTMLElement | null {
  const column = snapshot?.columns.find((candidate) => candidate.name === selected) ?? sortedColumns(snapshot?.columns ?? [])[0];
  if (!column) return null;
  const detail = snapshot?.details[column.name];
  const section = h('section', { className: 'drill-down', attributes: { id: 'drill-down', 'aria-label': `Column ${column.name}` } }, h('h2', {}, `${column.name}`, h('span', { className: 'muted' }, ` · ${column.type} · ${METHOD_NAMES[column.method] ?? column.method}`)));
  if (!detail) {
    section.append(h('p', { className: 'muted' }, 'This report has no drill-down for this column.'));
    return section;
  }
  const distribution = chartBox('distribution-chart', `Distributions of ${column.name}: reference and current`);
  const layout = h('div', { className: 'drill-grid' }, h('div', {}, h('h3', {}, detail.kind === 'numerical' ? 'Histogram on shared bins' : 'Categories'), distribution.box));
  const pending: Array<() => Chart> = [() => distributionChart(distribution.canvas, detail.distribution, detail.kind)];
  if (detail.kind === 'numerical') {
    const ecdf = chartBox('ecdf-chart', `Cumulative distributions of ${column.name}, with the KS distance marked`);
    layout.append(h('div', {}, h('h3', {}, 'ECDFs'), ecdf.box));
    pending.push(() => ecdfChart(ecdf.canvas, detail));
  }
  section.append(layout, h('div', { className: 'drill-grid' }, whyItDrifted(column, detail), h('div', {}, h('h3', {}, 'Every method'), scoresTable(detail, column))));
  requestAnimationFrame(() => {
    charts.push(...pending.map((create) => create()));
  });
  return section;
}

function chunkLabel(chunk: Chunk, timed: boolean): string {
  if (!timed) return `rows ${(chunk.start + 1).toLocaleString('en-US')}–${(chunk.end + 1).toLocaleString('en-US')}`;
  return new Date(chunk.start).toISOString().replace('T00:00:00.000Z', '').replace(':00.000Z', 'Z');
}

function overTimeSection(): HTMLElement | null {
  const overTime = snapshot?.overTime;
  if (!overTime || overTime.chunks.length === 0) return null;
  const timed = 'milliseconds' in overTime.window;
  const labels = overTime.chunks.map((chunk) => chunkLabel(chunk, timed));
  const names = [...new Set(overTime.chunks.flatMap((chunk) => chunk.result.columns.map((column) => column.name)))];
  const flagged = overTime.chunks.filter((chunk) => chunk.result.datasetDrift).length;
  const grid = h('table', { className: 'heatmap', attributes: { 'aria-label': 'Drift per column (rows) and chunk (columns)' } });
  grid.append(h('thead', {}, h('tr', {}, h('th', {}, ''), ...labels.map((label, index) => h('th', { attributes: { scope: 'col', title: `${label}: ${overTime.chunks[index]?.rows.toLocaleString('en-US')} rows` } }, label)))));
  const body = h('tbody');
  for (const name of names) {
    const row = h('tr', {}, h('th', { attributes: { scope: 'row' } }, name));
    overTime.chunks.forEach((chunk, index) => {
      const column = chunk.result.columns.find((candidate) => candidate.name === name);
      if (!column) {
        row.append(h('td', { className: 'empty-cell' }, ''));
        return;
      }
      const strength = Math.min(1, severity(column) / 2);
      const cell = h('td', { className: `cell ${column.drift ? 'drifted' : ''}`, attributes: { tabindex: '0', title: `${name}, ${labels[index]}: ${isTest(column) ? `p = ${format(column.pValue)}` : format(column.statistic)} (threshold ${format(column.threshold)})${column.drift ? ', drift' : ''}` }, on: { click: () => selectChunkColumn(name), keydown: (event) => ((event as KeyboardEvent).key === 'Enter' ? selectChunkColumn(name) : undefined) } }, column.drift ? '✕' : '');
      // CSSOM, not a style attribute: the page's CSP allows no inline styles.
      cell.style.setProperty('--strength', strength.toFixed(3));
      row.append(cell);
    });
    body.append(row);
  }
  grid.append(body);
  const focus = selectedChunkColumn && names.includes(selectedChunkColumn) ? selectedChunkColumn : names[0];
  const section = h('section', { className: 'over-time', attributes: { id: 'over-time' } }, h('h2', {}, 'Over time'), h('p', { className: 'muted' }, `Dataset drift in ${flagged} of ${overTime.chunks.length} chunks${overTime.baseline ? ' (flagged past the reference chunks’ mean + 3 standard deviations)' : ''}${overTime.untimedRows ? `; ${overTime.untimedRows.toLocaleString('en-US')} rows without a readable time left out` : ''}. Darker cells are further past their threshold; ✕ marks drift. Click a row to chart it.`), h('div', { className: 'heatmap-scroll' }, grid));
  if (focus) {
    const line = chartBox('score-over-time', `Score of ${focus} in each chunk, with its threshold`);
    const first = overTime.chunks.flatMap((chunk) => chunk.result.columns).find((column) => column.name === focus);
    section.append(h('h3', {}, `${focus}: ${first && isTest(first) ? 'p-value' : 'score'} per chunk`), line.box);
    requestAnimationFrame(() => {
      charts.push(scoreOverTimeChart(line.canvas, focus, overTime.chunks, labels, (chunk) => {
        const column = chunk.result.columns.find((candidate) => candidate.name === focus);
        return column ? { score: isTest(column) ? (column.pValue as number) : column.statistic, threshold: column.threshold, drift: column.drift } : undefined;
      }, first && isTest(first) ? 'p-value' : 'Score'));
    });
  }
  return section;
}

function selectChunkColumn(name: string): void {
  selectedChunkColumn = name;
  selected = name;
  drawnDrillDown = '';
  scheduleRender();
}

const header = h('div');
const table = h('div');
const lower = h('div');

function render(): void {
  header.replaceChildren(headline());
  table.replaceChildren(snapshot ? resultsTable() : '');
  // Charts are drawn again only when what they show changed: streaming columns must not redraw them each time.
  const current = snapshot?.columns.find((column) => column.name === selected) ?? sortedColumns(snapshot?.columns ?? [])[0];
  const key = `${current?.name}|${current ? Boolean(snapshot?.details[current.name]) : ''}|${snapshot?.running}|${selectedChunkColumn}|${Boolean(snapshot?.overTime)}`;
  if (key === drawnDrillDown) return;
  drawnDrillDown = key;
  for (const chart of charts) chart.destroy();
  charts = [];
  lower.replaceChildren(...[drillDown(), overTimeSection()].filter((section): section is HTMLElement => section !== null));
}

app.replaceChildren(header, table, lower);
onThemeChange(() => {
  drawnDrillDown = '';
  scheduleRender();
});
render();
post({ type: 'ready' });
