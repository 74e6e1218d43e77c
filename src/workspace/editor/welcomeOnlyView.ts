import * as vscode from 'vscode';

/**
 * A view whose content is its `viewsWelcome` text until its domain has records to list (Datasets and Models: the
 * store format for their records comes with the datasets-and-models work). An empty tree is what makes VS Code
 * show the welcome text.
 */
export function registerWelcomeOnlyView(viewId: string): vscode.Disposable {
  return vscode.window.registerTreeDataProvider<never>(viewId, {
    getChildren: () => [],
    getTreeItem: (node) => node,
  });
}
