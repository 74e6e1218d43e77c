import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { log } from '../../platform/editor/log.ts';
import { runDir } from '../../store/layout.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { CannotCancel, DEFAULT_CANCEL_GRACE_MS, cancelRecordedRun } from '../cancelRun.ts';
import { EVENTS_FILE } from '../kubernetes/kubernetesRun.ts';
import { describeJobRow, isEnded } from './jobRows.ts';
import type { JobLauncher } from './jobLauncher.ts';
import type { JobLogChannels } from './jobLogChannels.ts';
import type { JobViewRow, JobsTree } from './jobsTree.ts';
import type { KubernetesAccess } from './kubernetesAccess.ts';
import type { KubernetesTrackers } from './kubernetesTrackers.ts';
import { selectKubeContext } from './kubeContextStatus.ts';

export interface JobCommandsContext {
  stores: WorkspaceStores;
  tree: JobsTree;
  launcher: JobLauncher;
  logs: JobLogChannels;
  access: KubernetesAccess;
  trackers: KubernetesTrackers;
}

/** A run named by a command's argument (`runId` given), or undefined when the argument names none. */
interface NamedRun {
  runId: string;
  folderUri: string | undefined;
}

/**
 * The run a command's argument names: a Jobs view row (or any `{kind: 'run', store, runId}`), or
 * `{folder: "<folder URI>", runId}` from a CodeLens or a test.
 */
function namedRun(argument: unknown): NamedRun | undefined {
  if (typeof argument !== 'object' || argument === null) return undefined;
  const { store, folder, runId } = argument as { store?: { folder?: vscode.WorkspaceFolder }; folder?: unknown; runId?: unknown };
  if (typeof runId !== 'string') return undefined;
  return { runId, folderUri: typeof folder === 'string' ? folder : store?.folder?.uri.toString() };
}

async function pickRow(context: JobCommandsContext, argument: unknown, fits: (row: JobViewRow) => boolean, placeHolder: string, none: string): Promise<JobViewRow | undefined> {
  const named = namedRun(argument);
  if (named) {
    // A run asked for by name is that run or none: no picker in its place.
    const target = named.folderUri === undefined ? undefined : context.stores.get(named.folderUri);
    if (target) await target.ensureLoaded();
    const row = target && context.tree.row(target, named.runId);
    if (!row) void vscode.window.showErrorMessage(`MLTrail: run ${named.runId} not found${target ? ` in ${target.folder.name}` : named.folderUri ? ` (${named.folderUri} is not a folder of this workspace)` : ''}.`);
    return row;
  }
  await context.stores.ensureLoaded();
  const rows = context.tree.rows().filter(fits);
  if (rows.length === 0) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const now = Date.now();
  const picked = await vscode.window.showQuickPick(
    rows
      .sort((a, b) => Number(isEnded(a.state)) - Number(isEnded(b.state)) || (b.submittedAt ?? 0) - (a.submittedAt ?? 0))
      .map((row) => ({ label: row.name, description: describeJobRow(row, now), detail: row.runId, row })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.row;
}

/** Local runs stop like `mltrail cancel`; Kubernetes runs by deleting their Job (asking first for a whole sweep). */
async function cancelJob(context: JobCommandsContext, row: JobViewRow): Promise<boolean> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('MLTrail: cancelling jobs is not available in Restricted Mode. Trust this workspace first.');
    return false;
  }
  if (isEnded(row.state)) {
    void vscode.window.showInformationMessage(`MLTrail: ${row.name} has already ended (${row.state}).`);
    return false;
  }
  const { placement } = row;
  if (!placement) {
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLTrail: cancelling ${row.name}…` }, () => cancelRecordedRun(row.store.config.storeDir, row.runId, DEFAULT_CANCEL_GRACE_MS));
      return true;
    } catch (error) {
      const why = error instanceof CannotCancel ? error.message : `${(error as Error).message} (see the MLTrail output)`;
      if (!(error instanceof CannotCancel)) log().error(`cancelling ${row.runId}: ${(error as Error).stack ?? String(error)}`);
      void vscode.window.showErrorMessage(`MLTrail: cannot cancel ${row.name}: ${why}`);
      return false;
    }
  }
  if (placement.runIds.length > 1) {
    const confirmed = await vscode.window.showWarningMessage(
      `Cancel the whole sweep of ${placement.runIds.length} runs?`,
      { modal: true, detail: `${row.name} is one point of a sweep that runs as one Kubernetes Job (${placement.jobName} in ${placement.context}/${placement.namespace}). Cancelling deletes the Job: every run of the sweep that has not ended is killed.` },
      'Cancel Sweep',
    );
    if (confirmed !== 'Cancel Sweep') return false;
  }
  let server: string | undefined;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLTrail: cancelling ${placement.runIds.length > 1 ? `the sweep of ${row.job}` : row.name} on ${placement.context}…` }, async () => {
      const connection = context.trackers.connectionOf(row.runId) ?? (await context.access.connect(placement.context));
      server = connection.server;
      const kubernetes = await context.access.load();
      await kubernetes.cancelKubernetesLaunch({ connection, storeDir: row.store.config.storeDir, placement });
    });
    return true;
  } catch (error) {
    void context.access.reportError(error, { context: placement.context, ...(server ? { server } : {}) });
    return false;
  }
}

async function showEvents(row: JobViewRow): Promise<void> {
  const file = path.join(runDir(row.store.config.storeDir, row.runId), EVENTS_FILE);
  if (!fs.existsSync(file)) {
    void vscode.window.showInformationMessage(`MLTrail: no cluster events have been copied for ${row.name} yet.`);
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
}

export function showRunEvents(context: JobCommandsContext, runId: string): void {
  const row = context.tree.rows().find((candidate) => candidate.runId === runId);
  if (row) void showEvents(row);
}

export function registerJobCommands(context: JobCommandsContext): vscode.Disposable[] {
  const { launcher, logs, tree, stores } = context;
  const going = (row: JobViewRow) => !isEnded(row.state);
  return [
    vscode.commands.registerCommand('mltrail.launchJob', (argument?: unknown) => launcher.launchJob(argument)),
    vscode.commands.registerCommand('mltrail.launchSweep', () => launcher.launchSweep()),
    vscode.commands.registerCommand('mltrail.selectKubeContext', () => selectKubeContext(context.access)),
    vscode.commands.registerCommand('mltrail.showJobLogs', async (argument?: unknown) => {
      const row = await pickRow(context, argument, () => true, 'Job run whose logs to show', 'MLTrail: no job has run yet.');
      if (row) logs.show(row.store, row.runId, row.name);
    }),
    vscode.commands.registerCommand('mltrail.cancelJob', async (argument?: unknown) => {
      const row = await pickRow(context, argument, going, 'Job run to cancel', 'MLTrail: no job is running or queued.');
      return row ? cancelJob(context, row) : false;
    }),
    vscode.commands.registerCommand('mltrail.rerunJob', async (argument?: unknown) => {
      const row = await pickRow(context, argument, () => true, 'Job run to run again with changed params', 'MLTrail: no job has run yet.');
      return row && launcher.rerun(row);
    }),
    vscode.commands.registerCommand('mltrail.refreshJobs', () =>
      vscode.window.withProgress({ location: { viewId: 'mltrail.jobs' }, title: 'Reading runs' }, async () => {
        await Promise.all(stores.withStore().map((store) => store.rescan()));
        tree.refresh();
      }),
    ),
  ];
}
