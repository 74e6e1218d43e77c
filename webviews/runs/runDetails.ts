import '../shared/base.css';
import './runDetails.css';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { formatMetricValue } from '../../src/platform/format.ts';
import { type JsonNumber, decodeJsonNumber } from '../../src/platform/jsonNumbers.ts';
import { formatDuration, formatRelativeTime } from '../../src/platform/time.ts';
import type { RunStatus } from '../../src/runs/records.ts';
import {
  type FromRunDetails,
  type MetricView,
  type RunDetailsDelta,
  type RunDetailsModel,
  type RunDetailsState,
  type ToRunDetails,
  applyRunDetailsDelta,
} from '../../src/runs/runDetailsProtocol.ts';
import { h, icon } from '../shared/dom.ts';
import { KeyedTable } from '../shared/keyedTable.ts';
import { connect } from '../shared/vscodeApi.ts';

const vscode = connect<FromRunDetails, RunDetailsState>();
const app = document.getElementById('app') as HTMLElement;

const STATUS: Record<RunStatus, { label: string; icon: string }> = {
  running: { label: 'Running', icon: 'sync' },
  finished: { label: 'Finished', icon: 'pass' },
  failed: { label: 'Failed', icon: 'error' },
  killed: { label: 'Killed', icon: 'circle-slash' },
  lost: { label: 'Lost', icon: 'question' },
};

const metricsTable = new KeyedTable('Metrics', [{ label: 'Metric' }, { label: 'Last', numeric: true }, { label: 'Step', numeric: true }, { label: 'Min', numeric: true }, { label: 'Max', numeric: true }, { label: 'Points', numeric: true }]);
const paramsTable = new KeyedTable('Parameters', [{ label: 'Parameter' }, { label: 'Value' }]);
const tagsTable = new KeyedTable('Tags', [{ label: 'Tag' }, { label: 'Value' }]);

let model: RunDetailsModel | undefined;
const header = h('header', { className: 'run-header' });
const overview = h('dl', { className: 'overview' });
const problems = h('p', { className: 'problems', attributes: { role: 'status' } });
const sections = {
  metrics: section('Metrics', metricsTable, 'No metrics recorded yet. Append lines to metrics.jsonl and they appear here live.'),
  params: section('Parameters', paramsTable, 'No parameters recorded.'),
  tags: section('Tags', tagsTable, 'No tags.'),
};
const filterField = document.createElement('vscode-textfield');
filterField.setAttribute('placeholder', 'Filter metrics, parameters and tags');
filterField.setAttribute('aria-label', 'Filter metrics, parameters and tags');
filterField.className = 'filter';
filterField.addEventListener('input', () => {
  const text = (filterField as unknown as { value: string }).value;
  for (const table of [metricsTable, paramsTable, tagsTable]) table.filter(text);
  updateSectionCounts();
});

function section(title: string, table: KeyedTable, emptyText: string) {
  const count = document.createElement('vscode-badge');
  count.setAttribute('variant', 'counter');
  count.setAttribute('slot', 'decorations');
  const empty = h('p', { className: 'empty' }, emptyText);
  const collapsible = document.createElement('vscode-collapsible');
  collapsible.setAttribute('heading', title);
  collapsible.toggleAttribute('open', true);
  collapsible.className = 'section';
  collapsible.append(count, h('div', { className: 'table-wrap' }, table.element), empty);
  return { element: collapsible, count, empty, table };
}

function updateSectionCounts(): void {
  for (const { count, empty, table } of Object.values(sections)) {
    count.textContent = table.visibleCount === table.size ? String(table.size) : `${table.visibleCount}/${table.size}`;
    empty.hidden = table.size > 0;
    table.element.hidden = table.size === 0;
  }
}

function metricCells(view: MetricView) {
  const number = (value: JsonNumber) => {
    const decoded = decodeJsonNumber(value);
    return { text: formatMetricValue(decoded), title: String(decoded), numeric: true };
  };
  return [number(view.last), { text: String(view.step), numeric: true }, number(view.min), number(view.max), { text: view.count.toLocaleString('en-US'), numeric: true }];
}

function button(label: string, codicon: string, message: FromRunDetails): HTMLElement {
  const element = document.createElement('vscode-button');
  element.setAttribute('secondary', '');
  element.setAttribute('icon', codicon);
  element.textContent = label;
  element.addEventListener('click', () => vscode.postMessage(message));
  return element;
}

function renderHeader(run: RunDetailsModel): void {
  const status = STATUS[run.status];
  header.replaceChildren(
    h(
      'div',
      { className: 'title-row' },
      h('h1', { className: 'run-name', attributes: { title: run.name } }, run.name),
      h('span', { className: `status status-${run.status}`, attributes: { 'data-status': run.status } }, icon(status.icon), status.label),
      run.status === 'running' ? h('span', { className: 'live', attributes: { title: 'Updates as the run appends records' } }, 'Live') : null,
    ),
    h('div', { className: 'subtitle' }, h('span', {}, 'Experiment '), h('strong', { className: 'experiment' }, run.experiment), h('span', { className: 'separator' }, '·'), h('code', { className: 'run-id' }, run.id)),
    run.source
      ? h('div', { className: 'actions' }, button('Copy Run ID', 'copy', { type: 'copyRunId' }), h('span', { className: 'source-note' }, `Read in place from ${run.source === 'mlflow' ? 'MLflow' : 'DVCLive'} files (read-only)`))
      : h(
          'div',
          { className: 'actions' },
          button('Copy Run ID', 'copy', { type: 'copyRunId' }),
          button('Reveal in Explorer', 'folder-opened', { type: 'revealRun' }),
          button('run.jsonl', 'go-to-file', { type: 'openFile', file: 'run.jsonl' }),
          button('metrics.jsonl', 'go-to-file', { type: 'openFile', file: 'metrics.jsonl' }),
        ),
  );
}

function renderOverview(run: RunDetailsModel): void {
  const now = Date.now();
  const rows: Array<[string, Node | string]> = [];
  if (run.startTime !== null) rows.push(['Started', `${new Date(run.startTime).toLocaleString()} (${formatRelativeTime(run.startTime, now)})`]);
  if (run.endTime !== null) rows.push(['Ended', new Date(run.endTime).toLocaleString()]);
  if (run.startTime !== null) {
    const end = run.endTime ?? (run.status === 'running' ? now : null);
    if (end !== null) rows.push([run.endTime === null ? 'Running for' : 'Duration', formatDuration(end - run.startTime)]);
  }
  if (run.exitCode !== null) rows.push(['Exit code', String(run.exitCode)]);
  if (run.command) rows.push(['Command', h('code', { className: 'command' }, run.command.join(' '))]);
  if (run.git) {
    const parts = [run.git.branch, run.git.commit?.slice(0, 12)].filter(Boolean).join(' @ ');
    rows.push(['Git', `${parts || 'unknown commit'}${run.git.dirty ? ' (uncommitted changes)' : ''}`]);
  }
  if (run.host !== null || run.pid !== null) rows.push(['Host', [run.host, run.pid !== null ? `pid ${run.pid}` : null].filter(Boolean).join(', ')]);
  overview.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  problems.hidden = run.problemCount === 0;
  problems.replaceChildren(icon('warning'), ` ${run.problemCount} malformed line${run.problemCount === 1 ? ' was' : 's were'} skipped in this run's files: see the Problems panel.`);
}

function applyMaps(delta: Pick<RunDetailsDelta, 'metrics' | 'params' | 'tags'>, highlight: boolean): void {
  for (const key of delta.metrics?.remove ?? []) metricsTable.remove(key);
  for (const [key, view] of Object.entries(delta.metrics?.set ?? {})) metricsTable.set(key, [{ text: key }, ...metricCells(view)], highlight);
  for (const [table, values] of [[paramsTable, delta.params], [tagsTable, delta.tags]] as const) {
    for (const key of values?.remove ?? []) table.remove(key);
    for (const [key, value] of Object.entries(values?.set ?? {})) table.set(key, [{ text: key }, { text: value, title: value }], highlight);
  }
  updateSectionCounts();
}

function showRun(run: RunDetailsModel): void {
  model = run;
  for (const table of [metricsTable, paramsTable, tagsTable]) table.clear();
  app.replaceChildren(header, problems, h('section', { className: 'overview-section', attributes: { 'aria-label': 'Overview' } }, overview), filterField, sections.metrics.element, sections.params.element, sections.tags.element);
  renderHeader(run);
  renderOverview(run);
  applyMaps({ metrics: { set: run.metrics }, params: { set: run.params }, tags: { set: run.tags } }, false);
  document.title = `Run: ${run.name}`;
}

function showRemoved(): void {
  model = undefined;
  app.replaceChildren(h('div', { className: 'removed' }, icon('trash'), h('p', {}, 'This run is no longer in the store: it was deleted or moved.')));
}

window.addEventListener('message', (event: MessageEvent<ToRunDetails>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      vscode.setState(message.state);
      showRun(message.run);
      return;
    case 'update':
      if (!model) return;
      model = applyRunDetailsDelta(model, message.delta);
      if (message.delta.fields) {
        renderHeader(model);
        renderOverview(model);
      }
      applyMaps(message.delta, true);
      return;
    case 'removed':
      showRemoved();
      return;
  }
});

// Relative times ("5m ago", "Running for") move on without messages.
setInterval(() => {
  if (model) renderOverview(model);
}, 30_000);

vscode.postMessage({ type: 'ready' });
