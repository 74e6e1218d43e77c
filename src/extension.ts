import * as vscode from 'vscode';
import { COMPARE_VIEW_TYPE, ComparePanel } from './compare/editor/comparePanel.ts';
import { datasetDriftInputs, registerDatasetCommands } from './datasets/editor/datasetCommands.ts';
import { type DatasetsNode, DatasetsTree } from './datasets/editor/datasetsTree.ts';
import { registerDriftCommands } from './drift/editor/driftCommands.ts';
import { DRIFT_REPORT_VIEW_TYPE, DriftReportPanels } from './drift/editor/driftReportPanels.ts';
import type { JobsTree } from './jobs/editor/jobsTree.ts';
import { registerJobs } from './jobs/editor/jobsFeature.ts';
import { registerTrainingCodeLens } from './jobs/editor/trainingCodeLens.ts';
import { type ExperimentsNode, ExperimentsTree } from './runs/editor/experimentsTree.ts';
import { pickRuns, registerRunCommands } from './runs/editor/runCommands.ts';
import { RUN_DETAILS_VIEW_TYPE, RunDetailsPanels } from './runs/editor/runDetailsPanel.ts';
import type { RunSummary } from './runs/runSummary.ts';
import { registerStoreCommands } from './workspace/editor/storeCommands.ts';
import { StoreProblems } from './workspace/editor/storeProblems.ts';
import { MODEL_CARD_VIEW_TYPE, ModelCardPanels } from './models/editor/modelCardPanel.ts';
import { promote, registerModelCommands, rollback } from './models/editor/modelCommands.ts';
import { type ModelsNode, ModelsTree } from './models/editor/modelsTree.ts';
import { WorkspaceStores } from './workspace/editor/workspaceStores.ts';

/** What MLTrail offers other extensions (and its integration tests). */
export interface MLTrailApi {
  /** Every run of every workspace folder's store, loading the stores if they are not loaded yet. */
  listRuns(): Promise<Array<RunSummary & { folder: string }>>;
  /** The data behind the Experiments view. */
  experimentsTree: vscode.TreeDataProvider<ExperimentsNode>;
  /** The compare view's panel, while it is open. */
  comparePanel(): vscode.WebviewPanel | undefined;
  /** The data behind the Datasets and Models views. */
  datasetsTree: vscode.TreeDataProvider<DatasetsNode>;
  modelsTree: vscode.TreeDataProvider<ModelsNode>;
  /**
   * The Jobs view's model: `rows()` is every job run as the view shows it now. `mltrail.launchJob` (and
   * launchSweep, rerunJob) resolve to the launched run ids once the runs are started or submitted.
   */
  jobsTree: JobsTree;
  /** The end of what a job run's output channel shows, once Show Job Logs opened it. */
  jobLogText(folder: string, runId: string): string | undefined;
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
  const datasets = new DatasetsTree(stores);
  const models = new ModelsTree(stores);
  const modelCards = new ModelCardPanels(context.extensionUri, models);
  const jobs = registerJobs(context, stores);
  const modelCommands = { stores, tree: models, cards: modelCards, pickRun: async (placeHolder: string) => (await pickRuns(stores, { many: false, placeHolder }))[0] };
  modelCards.setActions({ promote: (model, version) => promote(modelCommands, model, version), rollback: (model) => rollback(modelCommands, model), openRun: (model, runId) => panels.open(model.store, runId) });
  context.subscriptions.push(
    stores,
    driftReports,
    datasets,
    models,
    modelCards,
    driftReports.onDidSaveReport(() => datasets.refresh()),
    vscode.window.createTreeView('mltrail.datasets', { treeDataProvider: datasets, canSelectMany: true, showCollapseAll: true }),
    vscode.window.createTreeView('mltrail.models', { treeDataProvider: models, showCollapseAll: true }),
    vscode.window.registerWebviewPanelSerializer(DRIFT_REPORT_VIEW_TYPE, driftReports),
    vscode.window.registerWebviewPanelSerializer(MODEL_CARD_VIEW_TYPE, modelCards),
    ...registerDriftCommands({ stores, reports: driftReports, ...datasetDriftInputs(datasets) }),
    ...registerDatasetCommands(datasets, context.asAbsolutePath('dist/workers/datasets.js')),
    ...registerModelCommands(modelCommands),
    tree,
    view,
    panels,
    compare,
    new StoreProblems(stores),
    vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, panels),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, compare),
    ...registerRunCommands({ stores, tree, panels, compare }),
    ...registerStoreCommands(context.extensionUri, stores),
    ...jobs.disposables,
    registerTrainingCodeLens(stores),
  );
  return {
    listRuns: async () => (await stores.allRuns()).map(({ store, run }) => ({ ...run, folder: store.folder.uri.toString() })),
    experimentsTree: tree,
    comparePanel: () => compare.webviewPanel,
    datasetsTree: datasets,
    modelsTree: models,
    jobsTree: jobs.tree,
    jobLogText: (folder, runId) => {
      const store = stores.get(folder);
      return store && jobs.logs.text(store, runId);
    },
  };
}

