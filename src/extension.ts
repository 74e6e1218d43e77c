import * as vscode from 'vscode';
import { COMPARE_VIEW_TYPE, ComparePanel } from './compare/editor/comparePanel.ts';
import { registerDriftCommands } from './drift/editor/driftCommands.ts';
import { DRIFT_REPORT_VIEW_TYPE, DriftReportPanels } from './drift/editor/driftReportPanels.ts';
import { type ExperimentsNode, ExperimentsTree } from './runs/editor/experimentsTree.ts';
import { pickRuns, registerRunCommands } from './runs/editor/runCommands.ts';
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
  /** The compare view's panel, while it is open. */
  comparePanel(): vscode.WebviewPanel | undefined;
}

/** Registers views and commands only: the store is read when a view or a command first needs it. */
export function activate(context: vscode.ExtensionContext): MLTrailApi {
  const stores = new WorkspaceStores({
    runs: context.asAbsolutePath('dist/workers/runs.js'),
    sources: context.asAbsolutePath('dist/workers/sources.js'),
    compare: context.asAbsolutePath('dist/workers/compare.js'),
  });
  const tree = new ExperimentsTree(stores, context.workspaceState);
  const view = vscode.window.createTreeView('mltrail.experiments', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  tree.attach(view);
  const panels = new RunDetailsPanels(context.extensionUri, stores);
  const compare = new ComparePanel({
    extensionUri: context.extensionUri,
    stores,
    memento: context.workspaceState,
    workerScript: context.asAbsolutePath('dist/workers/compare.js'),
    openRun: (store, runId) => panels.open(store, runId),
    pickRuns: async (exclude, placeHolder) => (await pickRuns(stores, { many: true, placeHolder, exclude })).map(({ store, runId }) => ({ folder: store.folder.uri.toString(), id: runId })),
  });
  const driftReports = new DriftReportPanels(context.extensionUri, context.asAbsolutePath('dist/workers/drift.js'));
  context.subscriptions.push(
    stores,
    driftReports,
    vscode.window.registerWebviewPanelSerializer(DRIFT_REPORT_VIEW_TYPE, driftReports),
    ...registerDriftCommands({ stores, reports: driftReports, datasetInputs: async () => [], inputOfNode: async () => undefined }),
    tree,
    view,
    panels,
    compare,
    new StoreProblems(stores),
    vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, panels),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, compare),
    registerWelcomeOnlyView('mltrail.datasets'),
    registerWelcomeOnlyView('mltrail.models'),
    ...registerRunCommands({ stores, tree, panels, compare }),
    ...registerStoreCommands(context.extensionUri, stores),
  );
  return {
    listRuns: async () => (await stores.allRuns()).map(({ store, run }) => ({ ...run, folder: store.folder.uri.toString() })),
    experimentsTree: tree,
    comparePanel: () => compare.webviewPanel,
  };
}

