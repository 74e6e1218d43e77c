import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateMLTrail, eventually, workspacePath } from './helpers.ts';

function driftTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mltrail.driftReport'));
}

function writeTable(file: string, shift: number): void {
  const lines = ['amount,channel'];
  for (let row = 0; row < 300; row++) lines.push(`${((row * 7919) % 100) + shift},${['web', 'store'][row % 2]}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('drift check', () => {
  const dataDir = () => path.join(workspacePath(), 'drift-data');
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(() => fs.rmSync(dataDir(), { recursive: true, force: true }));

  it('Check Data Drift on two files from the Explorer opens a report tab, saves the report and lists it in the Datasets view', async () => {
    const api = await activateMLTrail();
    const reference = vscode.Uri.file(path.join(dataDir(), 'reference.csv'));
    const current = vscode.Uri.file(path.join(dataDir(), 'current.csv'));
    writeTable(reference.fsPath, 0);
    writeTable(current.fsPath, 40);
    const reportsDir = path.join(workspacePath(), '.mltrail', 'drift');
    const before = fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir).length : 0;
    await vscode.commands.executeCommand('mltrail.checkDrift', reference, [reference, current]);
    const tab = await eventually(() => driftTabs()[0], 'a drift report tab');
    assert.equal(tab.label, 'Drift: reference.csv → current.csv');
    const saved = await eventually(() => (fs.existsSync(reportsDir) && fs.readdirSync(reportsDir).length > before ? fs.readdirSync(reportsDir) : undefined), 'the saved report', 30_000);
    const newest = saved.sort().at(-1) as string;
    const report = JSON.parse(fs.readFileSync(path.join(reportsDir, newest), 'utf8')) as { datasetDrift: boolean; columns: Array<{ name: string; drift: boolean }> };
    assert.deepEqual(report.columns.map((column) => [column.name, column.drift]), [['amount', true], ['channel', false]]);
    const roots = await eventually(async () => {
      const nodes = (await api.datasetsTree.getChildren()) ?? [];
      return nodes.find((node) => node.kind === 'reports') ? nodes : undefined;
    }, 'a drift reports node in the Datasets view');
    const reportsNode = roots.find((node) => node.kind === 'reports');
    const reports = (await api.datasetsTree.getChildren(reportsNode)) ?? [];
    const item = await api.datasetsTree.getTreeItem(reports[0] as never);
    assert.match(String(item.label), /reference\.csv → current\.csv/);
    assert.match(String(item.description), /drift in 1 of 2 columns/);
  });

  it('a file that is not a table is refused with a message naming it, and no tab stays busy', async () => {
    await activateMLTrail();
    const reference = vscode.Uri.file(path.join(dataDir(), 'reference.csv'));
    const broken = vscode.Uri.file(path.join(dataDir(), 'empty.csv'));
    writeTable(reference.fsPath, 0);
    fs.writeFileSync(broken.fsPath, '');
    await vscode.commands.executeCommand('mltrail.checkDrift', reference, [reference, broken]);
    await eventually(() => driftTabs()[0], 'a drift report tab');
    const reportsDir = path.join(workspacePath(), '.mltrail', 'drift');
    const count = fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir).length : 0;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir).length : 0, count, 'a failed check saves nothing');
  });

  it('the drift, dataset and model commands are registered', async () => {
    await activateMLTrail();
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['mltrail.checkDrift', 'mltrail.checkDriftOverTime', 'mltrail.openDriftReport', 'mltrail.snapshotDataset', 'mltrail.registerModel', 'mltrail.promoteModel', 'mltrail.rollbackModel', 'mltrail.openModelCard']) {
      assert.ok(commands.includes(command), command);
    }
  });
});
