import * as vscode from 'vscode';
import { createStarterConfig } from '../../store/config.ts';
import { CONFIG_FILE } from '../../store/layout.ts';
import type { WorkspaceStores } from './workspaceStores.ts';

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: `Folder to create ${CONFIG_FILE} in` });
}

export function registerStoreCommands(extensionUri: vscode.Uri, stores: WorkspaceStores): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mltrail.createConfig', async () => {
      const folder = await pickFolder();
      if (!folder) {
        void vscode.window.showInformationMessage('MLTrail: open a folder first; the store lives in the workspace.');
        return;
      }
      const existing = vscode.Uri.joinPath(folder.uri, CONFIG_FILE);
      if (stores.get(folder.uri.toString())?.config.hasConfigFile) {
        await vscode.window.showTextDocument(existing);
        return;
      }
      try {
        const file = createStarterConfig(folder.uri.fsPath);
        await vscode.window.showTextDocument(vscode.Uri.file(file));
      } catch (error) {
        void vscode.window.showErrorMessage(`MLTrail: could not create ${CONFIG_FILE}: ${(error as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('mltrail.openFormatDocs', () =>
      vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(extensionUri, 'docs', 'store-format.md')),
    ),
  ];
}
