import * as vscode from 'vscode';
import { formatMetricValue } from '../../platform/format.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import type { ModelConfig } from '../modelConfig.ts';
import { STAGES, type Stage } from '../modelRecords.ts';
import type { PromotionResult } from '../registry.ts';
import type { ModelCardPanels } from './modelCardPanel.ts';
import type { ModelEntry, ModelsNode, ModelsTree } from './modelsTree.ts';

export interface ModelCommandsContext {
  stores: WorkspaceStores;
  tree: ModelsTree;
  cards: ModelCardPanels;
  /** Asks for one run with the runs' quick pick. */
  pickRun(placeHolder: string): Promise<{ store: FolderStore; runId: string } | undefined>;
}

function isModelsNode(value: unknown): value is ModelsNode {
  return typeof value === 'object' && value !== null && ((value as ModelsNode).kind === 'model' || (value as ModelsNode).kind === 'modelVersion') && 'model' in value;
}

function isRunNode(value: unknown): value is { store: FolderStore; runId: string } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'run' && typeof (value as { runId?: unknown }).runId === 'string';
}

const STAGE_DESCRIPTIONS: Record<Stage, string> = {
  production: 'serves; the gate compares it with the current production version',
  staging: 'a candidate under evaluation',
  archived: 'kept for the record',
  none: 'no stage',
};

async function pickModel(context: ModelCommandsContext, store: FolderStore | undefined, declaredOnly: boolean, placeHolder: string): Promise<ModelEntry | undefined> {
  const models = context.tree.all().filter((model) => (!store || model.store === store) && (!declaredOnly || model.config));
  if (models.length === 0) {
    void vscode.window.showInformationMessage('MLTrail: no model is declared yet. Add one under "models" in mltrail.json, e.g. "classifier": {"path": "out/model.pt", "metric": "val/acc", "goal": "max"}.');
    return undefined;
  }
  if (models.length === 1) return models[0];
  const picked = await vscode.window.showQuickPick(models.map((model) => ({ label: model.name, description: `${model.state.versions.length} versions${model.state.production !== undefined ? ` · production v${model.state.production}` : ''}`, model })), { placeHolder });
  return picked?.model;
}

async function pickVersion(model: ModelEntry, placeHolder: string): Promise<number | undefined> {
  const picked = await vscode.window.showQuickPick(
    [...model.state.versions].reverse().map((version) => ({ label: `v${version.version}`, description: [version.stage, model.config?.metric && version.metrics[model.config.metric] !== undefined ? `${model.config.metric} ${formatMetricValue(version.metrics[model.config.metric] as number)}` : ''].filter(Boolean).join(' · '), version: version.version })),
    { placeHolder },
  );
  return picked?.version;
}

async function register(context: ModelCommandsContext, clicked: unknown): Promise<void> {
  const target = isRunNode(clicked) ? clicked : await context.pickRun('The run whose model to register');
  if (!target) return;
  const run: RunSummary | undefined = target.store.findRun(target.runId);
  if (!run) {
    void vscode.window.showErrorMessage(`MLTrail: run ${target.runId} is gone.`);
    return;
  }
  const model = await pickModel(context, target.store, true, `Register a model version from ${run.name}`);
  if (!model?.config) return;
  const config: ModelConfig = model.config;
  try {
    const version = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLTrail: registering ${config.name} from ${run.name}`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const { registerModelVersion } = await import('../registry.ts');
      return registerModelVersion({ storeDir: target.store.config.storeDir, folder: target.store.folder.uri.fsPath, model: config, run, signal: abort.signal, onProgress: (done, total) => progress.report({ message: `hashing ${Math.round((done / Math.max(1, total)) * 100)}%` }) });
    });
    context.tree.refresh();
    const action = await vscode.window.showInformationMessage(`MLTrail: registered ${config.name} v${version.version} from ${run.name}.`, 'Open Model Card');
    if (action) context.cards.open(target.store.config.storeDir, config.name, version.version);
  } catch (error) {
    void vscode.window.showErrorMessage(`MLTrail: could not register ${config.name}: ${(error as Error).message}`);
  }
}

/** Promotes a version; a refusal by the gate names both values and offers to force it, with a reason. */
export async function promote(context: ModelCommandsContext, model: ModelEntry, version: number, stage?: Stage): Promise<PromotionResult | undefined> {
  if (!model.config) {
    void vscode.window.showErrorMessage(`MLTrail: model "${model.name}" is not declared in mltrail.json; declare it (with its metric and goal) to promote versions.`);
    return undefined;
  }
  const chosen =
    stage ??
    (
      await vscode.window.showQuickPick(
        STAGES.filter((candidate) => candidate !== model.state.versions.find((known) => known.version === version)?.stage).map((candidate) => ({ label: candidate, description: STAGE_DESCRIPTIONS[candidate], stage: candidate })),
        { placeHolder: `Move ${model.name} v${version} to…` },
      )
    )?.stage;
  if (!chosen) return undefined;
  const base = { storeDir: model.store.config.storeDir, model: model.config, version, stage: chosen };
  try {
    const { promoteModelVersion } = await import('../registry.ts');
    let result = await promoteModelVersion(base);
    if (!result.promoted && result.gate) {
      const force = await vscode.window.showWarningMessage(`The gate refused ${model.name} v${version} for production: ${result.gate.reason}`, { modal: true, detail: 'Promoting anyway is recorded as forced, with your reason, in the model\'s audit trail.' }, 'Promote Anyway…');
      if (force !== 'Promote Anyway…') return result;
      const reason = await vscode.window.showInputBox({ title: `Force ${model.name} v${version} into production`, prompt: 'Why? (recorded in the audit trail)', validateInput: (text) => (text.trim() ? undefined : 'A forced promotion needs a reason') });
      if (!reason) return result;
      result = await promoteModelVersion({ ...base, force: true, reason: reason.trim() });
    }
    context.tree.refresh();
    vscode.window.setStatusBarMessage(`$(check) ${model.name} v${version} → ${chosen}${result.forced ? ' (forced)' : ''}${result.archived !== undefined ? `; v${result.archived} archived` : ''}`, 5000);
    return result;
  } catch (error) {
    void vscode.window.showErrorMessage(`MLTrail: could not promote ${model.name} v${version}: ${(error as Error).message}`);
    return undefined;
  }
}

export async function rollback(context: ModelCommandsContext, model: ModelEntry): Promise<void> {
  const target = model.state.rollbackTarget;
  if (target === undefined) {
    void vscode.window.showInformationMessage(`MLTrail: ${model.name} has no earlier production version to roll back to.`);
    return;
  }
  const confirmed = await vscode.window.showWarningMessage(`Roll ${model.name} back to v${target}?`, { modal: true, detail: `v${model.state.production} leaves production (archived) and v${target} serves again. Both changes are recorded.` }, 'Roll Back');
  if (confirmed !== 'Roll Back') return;
  try {
    const { rollbackModel } = await import('../registry.ts');
    const result = await rollbackModel(model.store.config.storeDir, model.name);
    context.tree.refresh();
    vscode.window.setStatusBarMessage(`$(history) ${model.name}: v${result.version} is in production again`, 5000);
  } catch (error) {
    void vscode.window.showErrorMessage(`MLTrail: could not roll back ${model.name}: ${(error as Error).message}`);
  }
}

export function registerModelCommands(context: ModelCommandsContext): vscode.Disposable[] {
  const modelOf = async (clicked: unknown, placeHolder: string) => (isModelsNode(clicked) ? context.tree.find(clicked.model.store.config.storeDir, clicked.model.name) : await pickModel(context, undefined, false, placeHolder));
  return [
    vscode.commands.registerCommand('mltrail.registerModel', (clicked?: unknown) => register(context, clicked)),
    vscode.commands.registerCommand('mltrail.promoteModel', async (clicked?: unknown) => {
      const model = await modelOf(clicked, 'Model to promote');
      if (!model) return;
      const version = isModelsNode(clicked) && clicked.kind === 'modelVersion' ? clicked.version.version : await pickVersion(model, 'Version to promote');
      if (version !== undefined) await promote(context, model, version);
    }),
    vscode.commands.registerCommand('mltrail.rollbackModel', async (clicked?: unknown) => {
      const model = await modelOf(clicked, 'Model to roll back');
      if (model) await rollback(context, model);
    }),
    vscode.commands.registerCommand('mltrail.openModelCard', async (clicked?: unknown) => {
      const model = await modelOf(clicked, 'Model whose card to open');
      if (!model) return;
      const version = isModelsNode(clicked) && clicked.kind === 'modelVersion' ? clicked.version.version : await pickVersion(model, 'Version');
      if (version !== undefined) context.cards.open(model.store.config.storeDir, model.name, version);
    }),
    vscode.commands.registerCommand('mltrail.refreshModels', () => context.tree.refresh()),
  ];
}
