import '../shared/base.css';
import './modelCard.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromModelCard, ModelCard, ModelCardState, ToModelCard } from '../../src/models/modelCardProtocol.ts';
import { formatMetricValue } from '../../src/platform/format.ts';
import { decodeJsonNumber, type JsonNumber } from '../../src/platform/jsonNumbers.ts';
import { h, icon } from '../shared/dom.ts';
import { connect } from '../shared/vscodeApi.ts';

const vscode = connect<FromModelCard, ModelCardState>();
const app = document.getElementById('app') as HTMLElement;

const STAGE_ICONS: Record<string, string> = { production: 'star-full', staging: 'beaker', archived: 'archive', none: 'circle-outline' };

function post(message: FromModelCard): void {
  vscode.postMessage(message);
}

function table(label: string, headers: string[], rows: Array<Array<string | HTMLElement>>): HTMLElement {
  return h('table', { className: 'data', attributes: { 'aria-label': label } }, h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { attributes: { scope: 'col' } }, header)))), h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell, index) => (index === 0 ? h('th', { attributes: { scope: 'row' } }, cell) : h('td', {}, cell)))))));
}

function render(card: ModelCard): void {
  const { version } = card;
  const artifact = version.artifact;
  const artifactLine = !artifact ? h('span', { className: 'muted' }, icon('loading'), ' checking the artifact…') : artifact.status === 'ok' ? h('span', { className: 'ok' }, icon('pass'), ' artifact unchanged since registration') : h('span', { className: 'warn', attributes: { id: 'artifact-warning' } }, icon('warning'), artifact.status === 'changed' ? ` artifact changed since registration (now ${artifact.hash})` : artifact.status === 'missing' ? ' artifact missing' : ` artifact unreadable: ${artifact.error ?? ''}`);
  const metrics = Object.entries(version.metrics).map(([name, value]) => {
    const number = decodeJsonNumber(value as JsonNumber);
    return [name, h('span', { className: name === card.metric ? 'key-metric' : '' }, formatMetricValue(number))];
  });
  const params = Object.entries(version.params).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
  const lineage = h(
    'ol',
    { className: 'lineage' },
    h('li', {}, icon('play-circle'), ' Run ', h('a', { attributes: { href: '#', id: 'open-run' }, on: { click: (event) => (event.preventDefault(), post({ type: 'openRun' })) } }, version.runName ?? version.run), h('span', { className: 'muted' }, ` (${version.run})`)),
    ...version.datasets.map((input) => h('li', {}, icon('database'), ` Dataset ${input.dataset}${input.version !== undefined ? ` v${input.version}` : ' (version not recorded)'}`)),
    h('li', {}, icon('git-commit'), version.git?.commit ? ` Commit ${version.git.commit.slice(0, 12)}${version.git.branch ? ` on ${version.git.branch}` : ''}${version.git.dirty ? ' with uncommitted changes' : ''}` : ' No git commit recorded'),
  );
  const history = card.history.map((change) => [new Date(change.time).toLocaleString(), `${change.from} → ${change.stage}`, change.user, h('span', {}, change.reason ?? '', change.forced ? h('span', { className: 'badge forced' }, ' forced') : '')]);
  const canRollBack = version.stage === 'production' && card.rollbackTarget !== undefined;
  const children: Array<HTMLElement | null> = [
    h('header', {}, h('h1', {}, `${card.model} `, h('span', { className: 'version' }, `v${version.version}`), ' ', h('span', { className: `badge stage ${version.stage}`, attributes: { id: 'stage' } }, icon(STAGE_ICONS[version.stage] ?? 'circle-outline'), ` ${version.stage}`), ...version.aliases.map((alias) => h('span', { className: 'badge alias' }, `@${alias}`))), h('p', { className: 'muted' }, `Registered by ${version.user} on ${new Date(version.time).toLocaleString()} · ${version.path} · ${version.hash}`), h('p', {}, artifactLine)),
    h('div', { className: 'toolbar' }, h('vscode-button', { attributes: { id: 'promote' }, on: { click: () => post({ type: 'promote' }) } }, icon('arrow-up'), ' Promote…'), canRollBack ? h('vscode-button', { attributes: { id: 'rollback', secondary: '' }, on: { click: () => post({ type: 'rollback' }) } }, icon('history'), ` Roll Back to v${card.rollbackTarget}`) : null),
    card.metric ? h('p', { className: 'muted' }, `Promotion to production needs ${card.metric} to ${card.goal === 'max' ? 'beat' : 'undercut'} production${card.production !== undefined ? ` (v${card.production})` : ''} by at least ${card.minDelta}.`) : null,
    h('h2', {}, 'Metrics'),
    metrics.length ? table('Metrics', ['Metric', 'Value'], metrics) : h('p', { className: 'muted' }, 'The run had no metrics.'),
    h('h2', {}, 'Lineage'),
    lineage,
    h('h2', {}, 'Parameters'),
    params.length ? table('Parameters', ['Parameter', 'Value'], params) : h('p', { className: 'muted' }, 'The run recorded no parameters.'),
    h('h2', {}, 'Stage history'),
    history.length ? table('Stage history: who, when, why', ['When', 'Change', 'Who', 'Why'], history) : h('p', { className: 'muted' }, 'This version has never changed stage.'),
  ];
  app.replaceChildren(...children.filter((child): child is HTMLElement => child !== null));
}

window.addEventListener('message', (event: MessageEvent<ToModelCard>) => {
  const message = event.data;
  if (message.type === 'gone') app.replaceChildren(h('p', { className: 'muted' }, icon('info'), ` ${message.message}`));
  else {
    vscode.setState(message.state);
    render(message.card);
  }
});

app.replaceChildren(h('p', { className: 'muted' }, icon('loading'), ' Loading the model card…'));
post({ type: 'ready' });
