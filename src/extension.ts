import * as vscode from 'vscode';
import { type ExperimentsNode, ExperimentsTree } from './runs/editor/experimentsTree.ts';
import { registerRunCommands } from './runs/editor/runCommands.ts';
import { RUN_DETAILS_VIEW_TYPE, RunDetailsPanels } from './runs/editor/runDetailsPanel.ts';
import type { RunSummary } from './runs/runSummary.ts';
import { registerStoreCommands } from './workspace/editor/storeCommands.ts';
import { StoreProblems } from './workspace/editor/storeProblems.ts';
import { registerWelcomeOnlyView } from './workspace/editor/welcomeOnlyView.ts';
import { WorkspaceStores } from './workspace/editor/workspaceStores.ts';

/** What MLTrail offers other extensions (and its integration tests). */
export interface MLTrailApi {
  /** Every run of every workspace folder's store, loading the stores if they are not loaded yet. */
  listRuns(): Promise<Array<RunSummary & { folder: string }>>;
  /** The data behind the Experiments view. */
  experimentsTree: vscode.TreeDataProvider<ExperimentsNode>;
}

/** Registers views and commands only: the store is read when a view or a command first needs it. */
export function activate(context: vscode.ExtensionContext): MLTrailApi {
  const stores = new WorkspaceStores(context.asAbsolutePath('dist/workers/runs.js'));
  const tree = new ExperimentsTree(stores, context.workspaceState);
  const view = vscode.window.createTreeView('mltrail.experiments', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  tree.attach(view);
  const panels = new RunDetailsPanels(context.extensionUri, stores);
  context.subscriptions.push(
    stores,
    tree,
    view,
    panels,
    new StoreProblems(stores),
    vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, panels),
    registerWelcomeOnlyView('mltrail.datasets'),
    registerWelcomeOnlyView('mltrail.models'),
    ...registerRunCommands({ stores, tree, panels }),
    ...registerStoreCommands(context.extensionUri, stores),
  );
  return {
    listRuns: async () => (await stores.allRuns()).map(({ store, run }) => ({ ...run, folder: store.folder.uri.toString() })),
    experimentsTree: tree,
  };
}

