import path from 'node:path';
import * as vscode from 'vscode';
import { formatMetricValue } from '../../platform/format.ts';
import { TRASH_DIR } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { RUN_STATUSES, type RunStatus } from '../records.ts';
import { DEFAULT_SORT, type RunSort, isRunFilter, isRunSort, keyMetricOf, sortRuns } from '../runQuery.ts';
import { moveRunToTrash } from '../runTrash.ts';
import type { ExperimentsTree, MoreRunsNode, RunNode } from './experimentsTree.ts';
import { statusLabel } from './experimentsTree.ts';
import type { RunDetailsPanels } from './runDetailsPanel.ts';
import type { ComparePanel, RunRef } from '../../compare/editor/comparePanel.ts';

export interface RunTarget {
  store: FolderStore;
  runId: string;
}

interface RunCommandContext {
  stores: WorkspaceStores;
  tree: ExperimentsTree;
  panels: RunDetailsPanels;
  compare: ComparePanel;
}

function toRef({ store, runId }: RunTarget): RunRef {
  return { folder: store.folder.uri.toString(), id: runId };
}

async function compareRuns(context: RunCommandContext, clicked: unknown, selected: unknown): Promise<void> {
  const runs = await targets(context, clicked, selected, { many: true, placeHolder: 'Runs to compare (any number)' });
  if (runs.length > 0) await context.compare.show(runs.map(toRef));
}

async function compareWith(context: RunCommandContext, clicked: unknown): Promise<void> {
  const [base] = await targets(context, clicked, undefined, { many: false, placeHolder: 'The run to compare others with (it becomes the baseline)' });
  if (!base) return;
  const others = await pickRuns(context.stores, { many: true, placeHolder: `Compare ${base.store.findRun(base.runId)?.name ?? base.runId} with…`, exclude: new Set([`${base.store.folder.uri.toString()}\u0000${base.runId}`]) });
  if (others.length === 0) return;
  await context.compare.show([base, ...others].map(toRef), toRef(base));
}

function isRunNode(value: unknown): value is RunNode {
  return typeof value === 'object' && value !== null && (value as RunNode).kind === 'run';
}

/** From a tree row (and the rows selected with it), or else by asking with a quick pick. */
async function targets(context: RunCommandContext, clicked: unknown, selected: unknown, options: { many: boolean; placeHolder: string }): Promise<RunTarget[]> {
  if (options.many && Array.isArray(selected) && selected.some(isRunNode)) return selected.filter(isRunNode);
  if (isRunNode(clicked)) return [clicked];
  return pickRuns(context.stores, options);
}

interface RunPickItem extends vscode.QuickPickItem {
  target: RunTarget;
}

export async function pickRuns(stores: WorkspaceStores, options: { many: boolean; placeHolder: string; exclude?: ReadonlySet<string> }): Promise<RunTarget[]> {
  const all = (await stores.allRuns()).filter(({ store, run }) => !options.exclude?.has(`${store.folder.uri.toString()}\u0000${run.id}`));
  if (all.length === 0) {
    void vscode.window.showInformationMessage('MLTrail: this workspace has no runs yet.');
    return [];
  }
  const multiFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const storeOf = new Map(all.map(({ store, run }) => [run, store]));
  const items: RunPickItem[] = sortRuns([...storeOf.keys()], DEFAULT_SORT).map((run) => {
    const store = storeOf.get(run) as FolderStore;
    const key = keyMetricOf(run, store.config.keyMetric);
    return {
      label: run.name,
      description: [run.experiment, statusLabel(run.status), multiFolder ? store.folder.name : undefined].filter(Boolean).join(' · '),
      detail: [run.id, key ? `${key.name} ${formatMetricValue(key.summary.last)}` : undefined].filter(Boolean).join(' · '),
      target: { store, runId: run.id },
    };
  });
  if (options.many) {
    const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, canPickMany: true, matchOnDescription: true, matchOnDetail: true });
    return picked?.map((item) => item.target) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked ? [picked.target] : [];
}

async function deleteRuns(context: RunCommandContext, clicked: unknown, selected: unknown): Promise<void> {
  const runs = await targets(context, clicked, selected, { many: true, placeHolder: 'Runs to move to the trash' });
  if (runs.length === 0) return;
  const first = runs[0] as RunTarget;
  const what = runs.length === 1 ? `run "${first.store.findRun(first.runId)?.name ?? first.runId}"` : `${runs.length} runs`;
  const trash = path.relative(first.store.folder.uri.fsPath, path.join(first.store.config.storeDir, TRASH_DIR)) || TRASH_DIR;
  const detail = runs.length === 1 ? `The run directory is moved to ${trash}${path.sep}, from where it can be moved back.` : `The run directories are moved to ${trash}${path.sep}, from where they can be moved back.`;
  const choice = await vscode.window.showWarningMessage(`Delete ${what}?`, { modal: true, detail }, 'Move to Trash');
  if (choice !== 'Move to Trash') return;
  const failures: string[] = [];
  const byStore = new Map<FolderStore, string[]>();
  for (const { store, runId } of runs) {
    try {
      moveRunToTrash(store.config.storeDir, runId);
      byStore.set(store, [...(byStore.get(store) ?? []), runId]);
    } catch (error) {
      failures.push(`${runId}: ${(error as Error).message}`);
    }
  }
  for (const [store, ids] of byStore) store.index.refresh(ids);
  if (failures.length > 0) void vscode.window.showErrorMessage(`MLTrail: could not delete ${failures.length} run(s). ${failures.join('; ')}`);
}

const SORT_CHOICES: Array<{ label: string; sort: RunSort }> = [
  { label: 'Newest first', sort: { key: 'started', descending: true } },
  { label: 'Oldest first', sort: { key: 'started', descending: false } },
  { label: 'Name (A to Z)', sort: { key: 'name', descending: false } },
  { label: 'Status (running first)', sort: { key: 'status', descending: false } },
  { label: 'Key metric, highest first', sort: { key: 'metric', descending: true } },
  { label: 'Key metric, lowest first', sort: { key: 'metric', descending: false } },
];

async function chooseSort(tree: ExperimentsTree): Promise<void> {
  const current = tree.sort;
  const picked = await vscode.window.showQuickPick(
    SORT_CHOICES.map((choice) => ({
      ...choice,
      description: choice.sort.key === current.key && choice.sort.descending === current.descending ? '(current)' : undefined,
    })),
    { placeHolder: 'Sort runs within each experiment' },
  );
  if (picked) await tree.setSort(picked.sort);
}

interface FilterItem extends vscode.QuickPickItem {
  status?: RunStatus;
  experiment?: string;
  text?: true;
}

async function chooseFilter(context: RunCommandContext): Promise<void> {
  const all = await context.stores.allRuns();
  const filter = context.tree.filter;
  const experiments = [...new Set(all.map(({ run }) => run.experiment))].sort((a, b) => a.localeCompare(b));
  const textLabel = filter.text ? `$(search) Text: "${filter.text}"` : '$(search) Text contains…';
  const items: FilterItem[] = [
    { label: textLabel, text: true, picked: Boolean(filter.text), alwaysShow: true },
    { label: 'Status', kind: vscode.QuickPickItemKind.Separator },
    ...RUN_STATUSES.map((status) => ({ label: statusLabel(status), status, picked: filter.statuses?.includes(status) ?? false })),
    { label: 'Experiment', kind: vscode.QuickPickItemKind.Separator },
    ...experiments.map((experiment) => ({ label: experiment, experiment, picked: filter.experiments?.includes(experiment) ?? false })),
  ];
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: 'Show only runs with any checked status, in any checked experiment' });
  if (!picked) return;
  let text = filter.text;
  if (picked.some((item) => item.text)) {
    const entered = await vscode.window.showInputBox({
      prompt: 'Show runs whose name, id, experiment, params or tags contain this text',
      value: filter.text ?? '',
      placeHolder: 'e.g. lr=0.01 or resnet',
    });
    if (entered === undefined) return;
    text = entered.trim() || undefined;
  } else {
    text = undefined;
  }
  const statuses = picked.flatMap((item) => (item.status ? [item.status] : []));
  const chosenExperiments = picked.flatMap((item) => (item.experiment !== undefined ? [item.experiment] : []));
  await context.tree.setFilter({
    ...(statuses.length ? { statuses } : {}),
    ...(chosenExperiments.length ? { experiments: chosenExperiments } : {}),
    ...(text ? { text } : {}),
  });
}

export function registerRunCommands(context: RunCommandContext): vscode.Disposable[] {
  const { stores, tree, panels } = context;
  return [
    vscode.commands.registerCommand('mltrail.refresh', () =>
      vscode.window.withProgress({ location: { viewId: 'mltrail.experiments' }, title: 'Reading runs' }, async () => {
        await Promise.all(stores.withStore().map((store) => store.rescan()));
      }),
    ),
    vscode.commands.registerCommand('mltrail.openRun', async (clicked?: unknown, selected?: unknown) => {
      // A row's own click passes only the row; the context menu and the inline action pass the selection too.
      const fromRowClick = isRunNode(clicked) && selected === undefined;
      for (const { store, runId } of await targets(context, clicked, undefined, { many: false, placeHolder: 'Open a run (type to search names, ids, experiments)' })) {
        panels.open(store, runId, fromRowClick);
      }
    }),
    vscode.commands.registerCommand('mltrail.copyRunId', async (clicked?: unknown, selected?: unknown) => {
      const runs = await targets(context, clicked, selected, { many: true, placeHolder: 'Runs whose ids to copy' });
      if (runs.length === 0) return;
      await vscode.env.clipboard.writeText(runs.map((run) => run.runId).join('\n'));
      vscode.window.setStatusBarMessage(`$(check) Copied ${runs.length === 1 ? `run ID ${runs[0]?.runId}` : `${runs.length} run IDs`}`, 3000);
    }),
    vscode.commands.registerCommand('mltrail.revealRun', async (clicked?: unknown) => {
      for (const { store, runId } of await targets(context, clicked, undefined, { many: false, placeHolder: 'Run to reveal in the Explorer' })) {
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(store.index.runDir(runId)));
      }
    }),
    vscode.commands.registerCommand('mltrail.deleteRun', (clicked?: unknown, selected?: unknown) => deleteRuns(context, clicked, selected)),
    // Both accept their choice as an argument too, so a keybinding can apply a saved filter or sort.
    vscode.commands.registerCommand('mltrail.sortRuns', (sort?: unknown) => {
      if (sort === undefined) return chooseSort(tree);
      if (isRunSort(sort)) return tree.setSort(sort);
      void vscode.window.showErrorMessage(`MLTrail: ignored an invalid sort argument ${JSON.stringify(sort)}; expected {"key": "started" | "name" | "status" | "metric", "descending": true | false}.`);
    }),
    vscode.commands.registerCommand('mltrail.filterRuns', (filter?: unknown) => {
      if (filter === undefined) return chooseFilter(context);
      if (isRunFilter(filter)) return tree.setFilter(filter);
      void vscode.window.showErrorMessage(`MLTrail: ignored an invalid filter argument ${JSON.stringify(filter)}; expected {"statuses"?: [...], "experiments"?: [...], "text"?: "..."}.`);
    }),
    vscode.commands.registerCommand('mltrail.clearRunFilter', () => tree.setFilter({})),
    vscode.commands.registerCommand('mltrail.compareRuns', (clicked?: unknown, selected?: unknown) => compareRuns(context, clicked, selected)),
    vscode.commands.registerCommand('mltrail.compareWith', (clicked?: unknown) => compareWith(context, clicked)),
    vscode.commands.registerCommand('mltrail.showMoreRuns', (node: MoreRunsNode) => {
      if (node?.kind === 'more') tree.showMore(node);
    }),
  ];
}

