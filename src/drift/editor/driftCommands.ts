import path from 'node:path';
import * as vscode from 'vscode';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import type { ReportTable } from '../driftReport.ts';
import { parseWindow } from '../chunkWindow.ts';
import { readColumnNames } from '../table/columnNames.ts';
import { TABLE_FORMATS } from '../table/tableFormats.ts';
import type { DriftCheckRequest, DriftReportPanels } from './driftReportPanels.ts';

/** A table to compare, as the pickers offer it: a file, maybe a dataset version. */
export interface DriftInput {
  file: string;
  dataset?: ReportTable['dataset'];
  label: string;
  description?: string;
}

export interface DriftCommandsContext {
  stores: WorkspaceStores;
  reports: DriftReportPanels;
  /** Dataset versions whose files are on disk, offered first in the pickers. */
  datasetInputs(): Promise<DriftInput[]>;
  /** A tree item of the Datasets view as an input (a dataset version), if it is one. */
  inputOfNode(node: unknown): Promise<DriftInput | undefined>;
}

const TABLE_GLOB = `**/*.{${TABLE_FORMATS.map((extension) => extension.slice(1)).join(',')}}`;
const EXCLUDED = '{**/node_modules/**,**/.git/**,**/.mltrail/**,**/.venv/**}';

function isTableUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri && TABLE_FORMATS.includes(path.extname(value.fsPath).toLowerCase());
}

function storeFor(stores: WorkspaceStores, file: string): FolderStore | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  return (folder && stores.get(folder.uri.toString())) ?? stores.withStore()[0] ?? (vscode.workspace.workspaceFolders?.[0] ? stores.get(vscode.workspace.workspaceFolders[0].uri.toString()) : undefined);
}

async function pickInput(context: DriftCommandsContext, title: string, exclude?: string): Promise<DriftInput | undefined> {
  type Item = vscode.QuickPickItem & { input?: DriftInput; browse?: true };
  const [datasets, files] = await Promise.all([context.datasetInputs(), vscode.workspace.findFiles(TABLE_GLOB, EXCLUDED, 500)]);
  const items: Item[] = [];
  if (datasets.length > 0) {
    items.push({ label: 'Dataset versions', kind: vscode.QuickPickItemKind.Separator });
    for (const input of datasets) items.push({ label: `$(database) ${input.label}`, description: input.description ?? '', input });
  }
  const tableFiles = files.map((uri) => uri.fsPath).filter((file) => file !== exclude).sort();
  if (tableFiles.length > 0) {
    items.push({ label: 'Files', kind: vscode.QuickPickItemKind.Separator });
    for (const file of tableFiles) items.push({ label: `$(file) ${path.basename(file)}`, description: vscode.workspace.asRelativePath(path.dirname(file)), input: { file, label: path.basename(file) } });
  }
  items.push({ label: '$(folder-opened) Browse…', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A CSV, TSV, JSONL or Parquet table, or a dataset version', matchOnDescription: true });
  if (!picked) return undefined;
  if (!picked.browse) return picked.input;
  const [uri] = (await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { Tables: TABLE_FORMATS.map((extension) => extension.slice(1)) } })) ?? [];
  return uri ? { file: uri.fsPath, label: path.basename(uri.fsPath) } : undefined;
}

/** The two tables of a check: from the Explorer's or the Datasets view's selection, else picked (reference first). */
async function chooseInputs(context: DriftCommandsContext, args: unknown[]): Promise<[DriftInput, DriftInput] | undefined> {
  const [clicked, selection] = args;
  const selected = Array.isArray(selection) && selection.length > 1 ? selection : clicked !== undefined ? [clicked] : [];
  const inputs: DriftInput[] = [];
  for (const item of selected) {
    if (isTableUri(item)) inputs.push({ file: item.fsPath, label: path.basename(item.fsPath) });
    else {
      try {
        const input = await context.inputOfNode(item);
        if (input) inputs.push(input);
      } catch (error) {
        void vscode.window.showErrorMessage(`MLTrail: ${(error as Error).message}`);
        return undefined;
      }
    }
  }
  if (inputs.length > 2) {
    void vscode.window.showWarningMessage('MLTrail: select two tables (or two dataset versions) to check for drift.');
    return undefined;
  }
  // Dataset versions compare older (reference) to newer (current), whatever the click order.
  inputs.sort((a, b) => (a.dataset && b.dataset && a.dataset.name === b.dataset.name ? a.dataset.version - b.dataset.version : 0));
  const reference = inputs[0] ?? (await pickInput(context, 'Check Data Drift (1/2): the reference data, e.g. training data'));
  if (!reference) return undefined;
  const current = inputs[1] ?? (await pickInput(context, `Check Data Drift (2/2): the current data to compare with ${reference.label}`, reference.file));
  return current ? [reference, current] : undefined;
}

function request(context: DriftCommandsContext, reference: DriftInput, current: DriftInput): DriftCheckRequest | undefined {
  const store = storeFor(context.stores, current.file);
  if (!store) {
    void vscode.window.showErrorMessage('MLTrail: open a workspace folder to save drift reports in.');
    return undefined;
  }
  const side = (input: DriftInput) => ({ file: input.file, ...(input.dataset ? { dataset: input.dataset } : {}) });
  return { storeDir: store.config.storeDir, reference: side(reference), current: side(current) };
}

async function checkDrift(context: DriftCommandsContext, args: unknown[]): Promise<void> {
  const inputs = await chooseInputs(context, args);
  if (!inputs) return;
  const checkRequest = request(context, ...inputs);
  if (checkRequest) await context.reports.check(checkRequest);
}

async function checkDriftOverTime(context: DriftCommandsContext, args: unknown[]): Promise<void> {
  const inputs = await chooseInputs(context, args);
  if (!inputs) return;
  const checkRequest = request(context, ...inputs);
  if (!checkRequest) return;
  let names: string[] | undefined;
  try {
    names = readColumnNames(inputs[1].file);
  } catch {
    names = undefined;
  }
  const byRows = '$(list-ordered) No time column: chunks of N rows';
  const timeColumn = names
    ? await vscode.window.showQuickPick([...names, byRows], { title: 'Drift Over Time: the column holding each row\'s time (ISO 8601 or epoch seconds/milliseconds)' })
    : await vscode.window.showInputBox({ title: 'Drift Over Time: the time column (empty for chunks of N rows)', prompt: 'ISO 8601 text, or epoch seconds or milliseconds' });
  if (timeColumn === undefined) return;
  const timed = timeColumn !== byRows && timeColumn.trim() !== '';
  const windowText = await vscode.window.showInputBox({
    title: 'Drift Over Time: the chunk size',
    value: timed ? '1d' : '10000',
    prompt: timed ? 'A duration: 30m, 1h, 6h, 1d, 7d' : 'Rows per chunk',
    validateInput: (text) => {
      const window = parseWindow(text);
      if (!window) return timed ? 'A duration like 1h, 1d or 7d, or a row count' : 'A positive row count';
      return !timed && 'milliseconds' in window ? 'Without a time column, chunks are row counts' : undefined;
    },
  });
  const window = windowText === undefined ? undefined : parseWindow(windowText);
  if (!window || windowText === undefined) return;
  const baseline = await vscode.window.showQuickPick(
    [
      { label: 'Each method\'s threshold', description: 'Evidently', value: 'threshold' as const },
      { label: 'Reference chunks: mean + 3 standard deviations', description: 'NannyML', value: 'chunks' as const },
    ],
    { title: 'Drift Over Time: when is a chunk flagged?' },
  );
  if (!baseline) return;
  checkRequest.overTime = { window, windowText, baseline: baseline.value, ...(timed ? { timeColumn } : {}) };
  await context.reports.check(checkRequest);
}

export function registerDriftCommands(context: DriftCommandsContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mltrail.checkDrift', (...args: unknown[]) => checkDrift(context, args)),
    vscode.commands.registerCommand('mltrail.checkDriftOverTime', (...args: unknown[]) => checkDriftOverTime(context, args)),
    vscode.commands.registerCommand('mltrail.openDriftReport', (target: unknown) => {
      const file = typeof target === 'string' ? target : (target as { reportFile?: unknown } | undefined)?.reportFile;
      if (typeof file === 'string') context.reports.open(file);
    }),
  ];
}
