import * as vscode from 'vscode';
import { log } from '../../platform/editor/log.ts';
import { runDir } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import type { KubernetesRunState } from '../kubernetes/kubernetesRun.ts';
import { readKubernetesRunState } from '../kubernetes/kubernetesRunState.ts';
import { DiagnosisNotifications } from './diagnosisNotifications.ts';
import { registerJobCommands, showRunEvents } from './jobCommands.ts';
import { JobLauncher } from './jobLauncher.ts';
import { JobLogChannels } from './jobLogChannels.ts';
import { JobsTree } from './jobsTree.ts';
import { KubeContextStatus } from './kubeContextStatus.ts';
import { KubernetesAccess } from './kubernetesAccess.ts';
import { kubernetesBundleLoader } from './kubernetesModule.ts';
import { KubernetesTrackers } from './kubernetesTrackers.ts';

export interface JobsFeature {
  tree: JobsTree;
  logs: JobLogChannels;
  disposables: vscode.Disposable[];
}

/** How long a running job run's job-state.json is left before it is read again for a launch to follow. */
const FOLLOW_CHECK_MS = 120_000;

/**
 * The editor side of jobs: the Jobs view, launching, logs, cancelling, the Kubernetes context, and following the
 * Kubernetes runs no tracker of this window follows (still going after a window reload, launched by the CLI, or
 * left by another process). Nothing Kubernetes is loaded before it is needed.
 */
export function registerJobs(context: vscode.ExtensionContext, stores: WorkspaceStores): JobsFeature {
  const access = new KubernetesAccess(kubernetesBundleLoader(context.asAbsolutePath('dist/kubernetes.cjs')));
  const trackers: KubernetesTrackers = new KubernetesTrackers({
    load: access.load,
    onChange: () => {
      tree.update();
      logs.trackingChanged();
    },
    onDiagnosis: (_store, view) => notifications.notify(view),
    onError: (placement, error) => log().warn(`Kubernetes: not following ${placement.jobName} in ${placement.context}/${placement.namespace}: ${(error as Error).message ?? String(error)}`),
  });
  const tree = new JobsTree(stores, trackers);
  const view = vscode.window.createTreeView('mltrail.jobs', { treeDataProvider: tree });
  tree.attach(view);
  const logs = new JobLogChannels(stores, trackers);
  const launcher = new JobLauncher({ stores, access, trackers, cliScript: context.asAbsolutePath('dist/cli.js') });
  const commands = { stores, tree, launcher, logs, access, trackers };
  const rowOf = (runId: string) => tree.rows().find((row) => row.runId === runId);
  const notifications = new DiagnosisNotifications({
    nameOf: (runId) => rowOf(runId)?.name ?? runId,
    jobOf: (runId) => rowOf(runId)?.job ?? runId,
    viewOf: (runId) => trackers.view(runId),
    showLogs: (runId) => {
      const row = rowOf(runId);
      if (row) logs.show(row.store, row.runId, row.name);
    },
    showEvents: (runId) => showRunEvents(commands, runId),
    cancel: (runId) => {
      const row = rowOf(runId);
      if (row) void vscode.commands.executeCommand('mltrail.cancelJob', tree.node(row.store, row.runId));
    },
  });

  const scanned = new Set<FolderStore>();
  /** When each run's job-state.json was last read to find a launch to follow, by store and run. */
  const checked = new Map<string, number>();
  // Tracking connects to clusters, which can run the kubeconfig's credential plugins: not in Restricted Mode.
  const follow = (store: FolderStore, runIds: readonly string[]) => {
    if (!store.isLoaded || !vscode.workspace.isTrusted) return;
    // The first time a store is seen, all its runs: those going were launched before this window.
    const candidates = scanned.has(store) ? runIds : store.index.list().map((run) => run.id);
    scanned.add(store);
    const now = Date.now();
    const states: KubernetesRunState[] = [];
    for (const runId of candidates) {
      const run = store.findRun(runId);
      if (run?.status !== 'running' || typeof run.tags.job !== 'string' || trackers.follows(runId)) continue;
      const key = `${store.config.storeDir}\u0000${runId}`;
      const last = checked.get(key);
      if (last !== undefined && now - last < FOLLOW_CHECK_MS) continue;
      checked.set(key, now);
      const state = readKubernetesRunState(runDir(store.config.storeDir, runId));
      if (!state) continue;
      states.push(state);
      // What another process or an earlier window diagnosed was told there: not again here.
      if (state.diagnosis) notifications.markSeen(state.placement.launchId, state.diagnosis.reason);
    }
    if (states.length > 0) void trackers.reattach({ storeDir: store.config.storeDir, folder: store.folder.uri.fsPath }, states, (name) => access.connect(name));
  };

  return {
    tree,
    logs,
    disposables: [
      tree,
      view,
      logs,
      notifications,
      { dispose: () => trackers.dispose() },
      new KubeContextStatus(access, stores, view),
      access,
      stores.onDidChangeRuns(({ store, change }) => {
        for (const runId of change.removed) checked.delete(`${store.config.storeDir}\u0000${runId}`);
        follow(store, [...change.added, ...change.updated]);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => stores.withStore().forEach((store) => follow(store, store.index.list().map((run) => run.id)))),
      ...registerJobCommands(commands),
    ],
  };
}
