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

/**
 * The editor side of jobs: the Jobs view, launching, logs, cancelling, the Kubernetes context, and tracking again
 * the Kubernetes runs still going when a store loads (after a window reload). Nothing Kubernetes is loaded before
 * it is needed.
 */
export function registerJobs(context: vscode.ExtensionContext, stores: WorkspaceStores): JobsFeature {
  const access = new KubernetesAccess(kubernetesBundleLoader(context.asAbsolutePath('dist/kubernetes.cjs')));
  const trackers: KubernetesTrackers = new KubernetesTrackers({
    load: access.load,
    onChange: () => tree.refresh(),
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

  const reattached = new Set<FolderStore>();
  // Tracking connects to clusters, which can run the kubeconfig's credential plugins: not in Restricted Mode.
  const reattach = (store: FolderStore) => {
    if (reattached.has(store) || !store.isLoaded || !vscode.workspace.isTrusted) return;
    reattached.add(store);
    const states: KubernetesRunState[] = [];
    for (const run of store.index.list()) {
      if (run.status !== 'running' || typeof run.tags.job !== 'string') continue;
      const state = readKubernetesRunState(runDir(store.config.storeDir, run.id));
      if (!state) continue;
      states.push(state);
      if (state.diagnosis) notifications.markSeen(run.id, state.diagnosis);
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
      { dispose: () => trackers.dispose() },
      new KubeContextStatus(access, stores),
      // A store's first load reports all its runs: the moment to pick up the Kubernetes runs still going.
      stores.onDidChangeRuns(({ store }) => reattach(store)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => stores.withStore().forEach(reattach)),
      ...registerJobCommands(commands),
    ],
  };
}
