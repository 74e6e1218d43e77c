import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateMLTrail, children, eventually, workspacePath } from './helpers.ts';

function runDetailsTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mltrail.runDetails'));
}

async function firstRun(api: Awaited<ReturnType<typeof activateMLTrail>>) {
  const [experiment] = await children(api);
  const [run] = await children(api, experiment?.node);
  assert.ok(run);
  return run;
}

describe('run commands', () => {
  // The browser's clipboard needs the workbench page focused, not a webview left over from a previous test.
  beforeEach(() => vscode.commands.executeCommand('workbench.view.extension.mltrail'));
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('Open Run shows one run-details panel per run, titled with the run name', async () => {
    const api = await activateMLTrail();
    const run = await firstRun(api);
    await vscode.commands.executeCommand('mltrail.openRun', run.node);
    const tab = await eventually(() => runDetailsTabs()[0], 'a run-details tab');
    assert.equal(tab.label, `Run: ${run.label}`);
    await vscode.commands.executeCommand('mltrail.openRun', run.node);
    assert.equal(runDetailsTabs().length, 1, 'opening the same run again reveals its panel');
  });

  it('Copy Run ID puts the id on the clipboard', async () => {
    const api = await activateMLTrail();
    const run = await firstRun(api);
    await vscode.commands.executeCommand('mltrail.copyRunId', run.node);
    assert.equal(await vscode.env.clipboard.readText(), (run.node as { runId: string }).runId);
  });

  it('Copy Run ID with several rows selected copies every id', async () => {
    const api = await activateMLTrail();
    const [experiment] = await children(api);
    const runs = (await children(api, experiment?.node)).slice(0, 3);
    await vscode.commands.executeCommand('mltrail.copyRunId', runs[0]?.node, runs.map((run) => run.node));
    assert.deepEqual((await vscode.env.clipboard.readText()).split('\n'), runs.map((run) => (run.node as { runId: string }).runId));
  });

  it('Refresh picks up a run written while nothing watched', async () => {
    const api = await activateMLTrail();
    await vscode.workspace.getConfiguration('mltrail').update('store.watch', false, vscode.ConfigurationTarget.Workspace);
    try {
      const dir = path.join(workspacePath(), '.mltrail', 'runs', '20990101-000003-77dd88');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'run.jsonl'), '{"type":"start","name":"found by refresh"}\n');
      await vscode.commands.executeCommand('mltrail.refresh');
      assert.ok((await api.listRuns()).some((run) => run.name === 'found by refresh'));
    } finally {
      await vscode.workspace.getConfiguration('mltrail').update('store.watch', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
