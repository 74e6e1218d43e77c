import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateMLTrail, eventually, workspacePath } from './helpers.ts';

describe('mltrail.json', () => {
  it('is validated and completed by the shipped JSON Schema', async () => {
    await activateMLTrail();
    const file = vscode.Uri.file(path.join(workspacePath(), 'mltrail.json'));
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(file, new vscode.Range(0, 0, document.lineCount, 0), '{\n  "version": 7,\n  "store": 5\n}\n');
    await vscode.workspace.applyEdit(edit);
    try {
      const diagnostics = await eventually(() => {
        const found = vscode.languages.getDiagnostics(file).filter((diagnostic) => diagnostic.source !== 'MLTrail');
        return found.length >= 2 ? found : undefined;
      }, 'schema diagnostics', 30_000);
      assert.deepEqual(diagnostics.map((diagnostic) => diagnostic.range.start.line).sort(), [1, 2]);
      const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', file, new vscode.Position(1, 2));
      const labels = completions.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
      assert.ok(labels.some((label) => label.includes('keyMetric')), labels.join(', '));
    } finally {
      const restore = new vscode.WorkspaceEdit();
      restore.replace(file, new vscode.Range(0, 0, document.lineCount, 0), original);
      await vscode.workspace.applyEdit(restore);
      await document.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('Create mltrail.json opens the existing file instead of overwriting it', async () => {
    await activateMLTrail();
    const file = path.join(workspacePath(), 'mltrail.json');
    const before = fs.readFileSync(file, 'utf8');
    await vscode.commands.executeCommand('mltrail.createConfig');
    await eventually(() => vscode.window.activeTextEditor?.document.uri.fsPath === file, 'mltrail.json in the editor');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Open Store Format Documentation shows the bundled docs in the Markdown preview', async () => {
    await activateMLTrail();
    await vscode.commands.executeCommand('mltrail.openFormatDocs');
    const tab = await eventually(
      () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((candidate) => candidate.input instanceof vscode.TabInputWebview && candidate.input.viewType.includes('markdown.preview')),
      'a Markdown preview tab',
    );
    assert.match(tab.label, /store-format/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
