import * as vscode from 'vscode';
import type { MLTrailApi } from '../../../src/extension.ts';
import type { ExperimentsNode } from '../../../src/runs/editor/experimentsTree.ts';

export async function activateMLTrail(): Promise<MLTrailApi> {
  const extension = vscode.extensions.getExtension<MLTrailApi>('mltrail.mltrail');
  if (!extension) throw new Error('MLTrail is not installed in this extension host');
  return extension.activate();
}

export function workspacePath(index = 0): string {
  const folder = vscode.workspace.workspaceFolders?.[index];
  if (!folder) throw new Error(`no workspace folder ${index}`);
  return folder.uri.fsPath;
}

export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ShownItem {
  node: ExperimentsNode;
  item: vscode.TreeItem;
  label: string;
}

export async function children(api: MLTrailApi, node?: ExperimentsNode): Promise<ShownItem[]> {
  const nodes = (await api.experimentsTree.getChildren(node)) ?? [];
  return Promise.all(
    nodes.map(async (child) => {
      const item = await api.experimentsTree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { node: child, item, label };
    }),
  );
}
