import path from 'node:path';
import * as vscode from 'vscode';
import { log } from '../../platform/editor/log.ts';
import type { DriftInput } from '../../drift/editor/driftCommands.ts';
import { readDatasetDeclarations } from '../datasetConfig.ts';
import type { DatasetEntry } from '../listDatasets.ts';
import { formatSize } from '../formatSize.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import { isOnDisk, tableOfVersion } from '../datasetInput.ts';
import type { DatasetsNode, DatasetsTree } from './datasetsTree.ts';

function isDatasetsNode(value: unknown): value is DatasetsNode {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && 'dataset' in value && 'store' in value;
}

async function pickDataset(tree: DatasetsTree, placeHolder: string): Promise<{ store: FolderStore; dataset: DatasetEntry } | undefined> {
  const all = (await tree.all()).filter(({ dataset }) => dataset.declared);
  if (all.length === 0) {
    const open = await vscode.window.showInformationMessage('MLTrail: no dataset is declared yet. Add one under "datasets" in mltrail.json, e.g. "train": {"path": "data/train.csv"}.', 'Open mltrail.json');
    if (open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(vscode.workspace.workspaceFolders?.[0] ? path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, 'mltrail.json') : 'mltrail.json'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((entry) => ({ label: entry.dataset.name, description: [entry.dataset.path, entry.dataset.versions.length ? `v${entry.dataset.versions.at(-1)?.version}` : 'no versions', entry.dataset.modified?.modified ? 'modified' : ''].filter(Boolean).join(' · '), entry })),
    { placeHolder },
  );
  return picked?.entry;
}

async function snapshot(tree: DatasetsTree, workerScript: string, clicked: unknown): Promise<void> {
  const target = isDatasetsNode(clicked) && clicked.kind === 'dataset' ? { store: clicked.store, dataset: clicked.dataset } : await pickDataset(tree, 'Dataset to snapshot');
  if (!target) return;
  const declaration = readDatasetDeclarations(target.store.config).datasets.find((dataset) => dataset.name === target.dataset.name);
  if (!declaration) {
    void vscode.window.showErrorMessage(`MLTrail: dataset "${target.dataset.name}" is not declared in mltrail.json any more; declare it to snapshot it.`);
    return;
  }
  const note = await vscode.window.showInputBox({ title: `Snapshot ${declaration.name}`, prompt: 'A note for this version (optional), e.g. what changed', placeHolder: 'e.g. deduplicated, 2026-11 export' });
  if (note === undefined) return;
  const abort = new AbortController();
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLTrail: snapshotting ${declaration.name}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      const { snapshotDataset } = await import('../snapshot.ts');
      return snapshotDataset(declaration, {
        storeDir: target.store.config.storeDir,
        folder: target.store.folder.uri.fsPath,
        ...(note.trim() ? { note: note.trim() } : {}),
        signal: abort.signal,
        workerScript,
        onProgress: (done, total) => {
          const percent = total > 0 ? (done / total) * 100 : 0;
          progress.report({ message: `hashing ${formatSize(done)} of ${formatSize(total)}`, increment: percent - reported });
          reported = percent;
        },
      });
    });
    tree.refresh();
    log().info(`Snapshot of ${declaration.name}: ${result.reason} (${result.record.hash})`);
    void vscode.window.showInformationMessage(`MLTrail: ${declaration.name}: ${result.reason}.`);
  } catch (error) {
    if (abort.signal.aborted) void vscode.window.showInformationMessage(`MLTrail: the snapshot of ${declaration.name} was cancelled; nothing was recorded.`);
    else void vscode.window.showErrorMessage(`MLTrail: could not snapshot ${declaration.name}: ${(error as Error).message}`);
  }
}

/** A dataset version as a drift input: only when its content is the file on disk now (versions are hashes, not copies). */
function driftInputOf(dataset: DatasetEntry, version: number): DriftInput {
  const table = tableOfVersion(dataset, version);
  return { file: table.file, dataset: table.dataset, label: `${dataset.name}@v${version}`, description: `${path.basename(table.file)}${table.record.rows !== undefined ? ` · ${table.record.rows.toLocaleString('en-US')} rows` : ''}` };
}

export interface DatasetDriftInputs {
  datasetInputs(): Promise<DriftInput[]>;
  inputOfNode(node: unknown): Promise<DriftInput | undefined>;
}

/** What the drift commands offer from datasets: the versions on disk now, and the tree's version rows. */
export function datasetDriftInputs(tree: DatasetsTree): DatasetDriftInputs {
  return {
    datasetInputs: async () =>
      (await tree.all()).flatMap(({ dataset }) => {
        const latest = dataset.versions.at(-1);
        if (!latest || !isOnDisk(dataset, latest)) return [];
        try {
          return [driftInputOf(dataset, latest.version)];
        } catch {
          return [];
        }
      }),
    inputOfNode: async (node) => {
      if (!isDatasetsNode(node) || node.kind !== 'version') return undefined;
      return driftInputOf(node.dataset, node.record.version);
    },
  };
}

export function registerDatasetCommands(tree: DatasetsTree, workerScript: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mltrail.snapshotDataset', (clicked?: unknown) => snapshot(tree, workerScript, clicked)),
    vscode.commands.registerCommand('mltrail.refreshDatasets', () => tree.refresh()),
  ];
}
