import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateMLTrail, children } from './helpers.ts';

describe('Experiments view', () => {
  afterEach(() => vscode.commands.executeCommand('mltrail.clearRunFilter'));

  it('lists experiments, then their runs newest first with status icons and the key metric', async () => {
    const api = await activateMLTrail();
    const experiments = await children(api);
    assert.deepEqual(experiments.map((experiment) => experiment.label), ['augmented', 'baseline']);
    const baseline = experiments[1];
    assert.ok(baseline);
    assert.match(String(baseline.item.description), /^\d+ runs/);
    const runs = await children(api, baseline.node);
    const summaries = (await api.listRuns()).filter((run) => run.experiment === 'baseline');
    const newestFirst = [...summaries].sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0)).map((run) => run.name);
    assert.deepEqual(runs.map((run) => run.label), newestFirst);
    const first = runs[0];
    assert.ok(first);
    assert.equal(first.item.contextValue, 'mltrail.run');
    assert.ok(first.item.iconPath instanceof vscode.ThemeIcon);
    assert.match(String(first.item.description), /^val\/loss \d/, 'mltrail.json names val/loss as the key metric');
    assert.equal(first.item.command?.command, 'mltrail.openRun');
  });

  it('builds a Markdown tooltip on demand that shows params and metrics as text', async () => {
    const api = await activateMLTrail();
    const [experiment] = await children(api);
    const [run] = await children(api, experiment?.node);
    assert.ok(run && api.experimentsTree.resolveTreeItem);
    const resolved = await api.experimentsTree.resolveTreeItem(run.item, run.node, new vscode.CancellationTokenSource().token);
    const tooltip = resolved?.tooltip as vscode.MarkdownString;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.equal(tooltip.isTrusted, false);
    assert.match(tooltip.value, /\| Metric \| \|/);
    assert.match(tooltip.value, /\| lr \|/);
  });

  it('filters by status and text through the filter command, and clears', async () => {
    const api = await activateMLTrail();
    await vscode.commands.executeCommand('mltrail.filterRuns', { statuses: ['failed'] });
    const failedOnly = (await Promise.all((await children(api)).map((experiment) => children(api, experiment.node)))).flat();
    const failed = (await api.listRuns()).filter((run) => run.status === 'failed');
    assert.ok(failed.length > 0);
    assert.equal(failedOnly.length, failed.length);
    await vscode.commands.executeCommand('mltrail.filterRuns', { text: 'no run has this text' });
    assert.deepEqual(await children(api), []);
    await vscode.commands.executeCommand('mltrail.clearRunFilter');
    assert.equal((await children(api)).length, 2);
  });

  it('ignores a malformed filter argument instead of applying it', async () => {
    const api = await activateMLTrail();
    await vscode.commands.executeCommand('mltrail.filterRuns', { statuses: ['exploded'] });
    await vscode.commands.executeCommand('mltrail.filterRuns', 'failed');
    assert.equal((await children(api)).length, 2);
  });

  it('sorts by name through the sort command', async () => {
    const api = await activateMLTrail();
    await vscode.commands.executeCommand('mltrail.sortRuns', { key: 'name', descending: false });
    const [experiment] = await children(api);
    const labels = (await children(api, experiment?.node)).map((run) => run.label);
    assert.deepEqual(labels, [...labels].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    await vscode.commands.executeCommand('mltrail.sortRuns', { key: 'started', descending: true });
  });

  it('pages a large experiment behind a "Show more" row', async () => {
    const api = await activateMLTrail();
    await vscode.workspace.getConfiguration('mltrail').update('experiments.pageSize', 10, vscode.ConfigurationTarget.Workspace);
    try {
      const [experiment] = await children(api);
      const page = await children(api, experiment?.node);
      assert.equal(page.length, 11);
      const more = page[10];
      assert.match(more?.label ?? '', /^Show \d+ more runs…$/);
      await vscode.commands.executeCommand(more?.item.command?.command as string, ...(more?.item.command?.arguments ?? []));
      const total = (await api.listRuns()).filter((run) => run.experiment === experiment?.label).length;
      assert.equal((await children(api, experiment?.node)).length, Math.min(total, 20) + (total > 20 ? 1 : 0));
    } finally {
      await vscode.workspace.getConfiguration('mltrail').update('experiments.pageSize', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
