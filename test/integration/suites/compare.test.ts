import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateMLTrail, children, eventually, workspacePath } from './helpers.ts';

function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mltrail.compare'));
}

describe('compare command', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('Compare Runs on a multi-selection opens one compare view titled with the run count', async () => {
    const api = await activateMLTrail();
    const [experiment] = await children(api);
    const runs = await children(api, experiment?.node);
    assert.ok(runs.length >= 3, 'the workspace has at least three runs in its first experiment');
    const selected = runs.slice(0, 3).map((run) => run.node);
    await vscode.commands.executeCommand('mltrail.compareRuns', selected[0], selected);
    const tab = await eventually(() => compareTabs()[0], 'a compare tab');
    assert.equal(tab.label, 'Compare: 3 runs');
    assert.equal(api.comparePanel()?.visible, true);

    await vscode.commands.executeCommand('mltrail.compareRuns', selected[1], selected.slice(1, 3));
    assert.equal(compareTabs().length, 1, 'a second comparison reuses the view');
    await eventually(() => compareTabs()[0]?.label === 'Compare: 2 runs', 'the title of the new comparison');
  });

  it('a compared run deleted from the store leaves the comparison', async () => {
    const api = await activateMLTrail();
    const [experiment] = await children(api);
    const runs = await children(api, experiment?.node);
    const selected = runs.slice(-2).map((run) => run.node);
    await vscode.commands.executeCommand('mltrail.compareRuns', selected[0], selected);
    await eventually(() => compareTabs()[0]?.label === 'Compare: 2 runs', 'a comparison of two runs');
    const runId = (selected[1] as { runId: string }).runId;
    const runDir = path.join(workspacePath(), '.mltrail', 'runs', runId);
    const parked = path.join(workspacePath(), '.mltrail', `parked-${runId}`);
    fs.renameSync(runDir, parked);
    try {
      await eventually(() => compareTabs()[0]?.label === 'Compare: 1 run', 'the deleted run to leave the comparison', 20_000);
    } finally {
      fs.renameSync(parked, runDir);
    }
  });

  it('the compare commands are in the command palette and on run rows', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('mltrail.compareRuns'));
    assert.ok(commands.includes('mltrail.compareWith'));
  });
});
