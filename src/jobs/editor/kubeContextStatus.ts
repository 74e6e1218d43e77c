import path from 'node:path';
import * as vscode from 'vscode';
import { log } from '../../platform/editor/log.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { parseJobDefinitions } from '../jobConfig.ts';
import { trainingScriptOf } from '../trainingScripts.ts';
import type { KubernetesAccess } from './kubernetesAccess.ts';
import type { KubeContext } from './kubernetesModule.ts';

/**
 * `$(cloud) <context>` in the status bar while a folder declares a job with a "kubernetes" section or a context is
 * chosen; its tooltip names the cluster and namespace, a click opens the context picker. Without a kubeconfig it
 * says so, and a click explains.
 *
 * Reading the kubeconfig loads the Kubernetes bundle (megabytes), so the item waits until it is wanted: the Jobs
 * view is shown, the editor shows a file a Kubernetes job runs, or something else loaded the bundle.
 */
export class KubeContextStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mltrail.kubernetesContext', vscode.StatusBarAlignment.Left, 40);
  private readonly subscriptions: vscode.Disposable[];
  private readonly access: KubernetesAccess;
  private readonly stores: WorkspaceStores;
  private timer: NodeJS.Timeout | undefined;
  private updates = 0;
  private active = false;

  constructor(access: KubernetesAccess, stores: WorkspaceStores, jobsView: vscode.TreeView<unknown>) {
    this.access = access;
    this.stores = stores;
    this.item.name = 'MLTrail Kubernetes Context';
    this.item.command = 'mltrail.selectKubeContext';
    const activateForEditor = (editor: vscode.TextEditor | undefined) => {
      if (editor && this.runsKubernetesJob(editor.document.uri)) this.activate();
    };
    this.subscriptions = [
      stores.onDidChangeStores(() => this.scheduleUpdate()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('mltrail.kubernetes')) this.scheduleUpdate();
      }),
      jobsView.onDidChangeVisibility(({ visible }) => {
        if (visible) this.activate();
      }),
      vscode.window.onDidChangeActiveTextEditor(activateForEditor),
      access.onDidLoad(() => this.activate()),
    ];
    if (jobsView.visible || access.isLoaded) this.activate();
    else activateForEditor(vscode.window.activeTextEditor);
  }

  /** Shows the item from now on (a first read of the kubeconfig, then again on each change of the settings). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.scheduleUpdate();
  }

  /** Reads the kubeconfig again (after the picker, or when the item is first needed). */
  async update(): Promise<void> {
    const update = ++this.updates;
    const chosen = this.access.chosenContext();
    if (!chosen && !this.stores.withStore().some((store) => declaresKubernetesJob(store.config.raw))) {
      this.item.hide();
      return;
    }
    let text: string;
    let tooltip: string;
    try {
      const list = await this.access.contexts();
      const name = chosen ?? list.current;
      const context = list.contexts.find((candidate) => candidate.name === name);
      text = `$(cloud) ${name ?? 'no context'}`;
      tooltip = context ? describeContext(context, list.files) : name ? `Kubernetes context "${name}" is not in ${list.files.join(', ')}. Click to pick one.` : `The kubeconfig (${list.files.join(', ')}) sets no current-context. Click to pick one.`;
    } catch (error) {
      const noKubeconfig = await this.access.load().then(
        (kubernetes) => error instanceof kubernetes.NoKubeconfig,
        () => false,
      );
      text = noKubeconfig ? '$(cloud) No kubeconfig' : '$(cloud) Kubernetes: error';
      tooltip = noKubeconfig ? `No kubeconfig found: ${(error as Error).message}\nClick for details.` : `Cannot read the kubeconfig: ${(error as Error).message}`;
      log().warn(`Kubernetes contexts: ${(error as Error).message}`);
    }
    if (update !== this.updates) return;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Kubernetes context for MLTrail jobs: ${text.replace('$(cloud) ', '')}` };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private scheduleUpdate(): void {
    if (!this.active) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), 0);
  }

  /** Whether a job with a "kubernetes" section runs the file. */
  private runsKubernetesJob(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file') return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const store = folder && this.stores.get(folder.uri.toString());
    if (!folder || !store || !declaresKubernetesJob(store.config.raw)) return false;
    const file = { folder: folder.uri.fsPath, path: path.relative(folder.uri.fsPath, uri.fsPath) };
    const kubernetesJobs = parseJobDefinitions(store.config).jobs.filter((job) => job.kubernetes);
    return trainingScriptOf(file, kubernetesJobs, undefined) !== undefined;
  }
}

function describeContext(context: KubeContext, files: readonly string[]): string {
  return [`Kubernetes context: ${context.name}`, `Cluster: ${context.cluster}${context.server ? ` (${context.server})` : ''}`, `Namespace: ${context.namespace ?? 'default'}`, `From: ${files.join(', ')}`, 'Click to switch.'].join('\n');
}

/** Whether mltrail.json declares a job with a "kubernetes" section (read as written: no need to validate here). */
function declaresKubernetesJob(raw: Record<string, unknown>): boolean {
  const jobs = raw.jobs;
  if (!jobs || typeof jobs !== 'object') return false;
  return Object.values(jobs).some((job) => job !== null && typeof job === 'object' && typeof (job as Record<string, unknown>).kubernetes === 'object');
}

interface ContextItem extends vscode.QuickPickItem {
  context: string | undefined;
}

/** Lists the kubeconfig's contexts (current marked) and keeps the choice in the workspace settings. */
export async function selectKubeContext(access: KubernetesAccess): Promise<string | undefined> {
  let list;
  try {
    list = await access.contexts();
  } catch (error) {
    await access.reportError(error, {});
    return undefined;
  }
  const chosen = access.chosenContext();
  const items: ContextItem[] = list.contexts.map((context) => ({
    label: context.name,
    description: [context.cluster, `namespace ${context.namespace ?? 'default'}`, context.name === list.current ? 'current-context' : ''].filter(Boolean).join(' · '),
    ...(context.server ? { detail: context.server } : {}),
    iconPath: new vscode.ThemeIcon(context.name === (chosen ?? list.current) ? 'check' : 'cloud'),
    context: context.name,
  }));
  if (chosen) items.push({ label: 'Follow the kubeconfig', description: `use its current-context${list.current ? ` (${list.current})` : ''}`, iconPath: new vscode.ThemeIcon('sync'), context: undefined });
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `Kubernetes context for MLTrail jobs (from ${list.files.join(', ')})`, matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  await access.setChosenContext(picked.context);
  return picked.context ?? list.current;
}
