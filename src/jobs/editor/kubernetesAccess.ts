import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KubernetesConnection } from '../kubernetes/kubernetesRun.ts';
import { knownKubeContext } from './knownKubeContext.ts';
import type { KubeContextList, KubeconfigSource, KubernetesModule } from './kubernetesModule.ts';

const SETTINGS = 'mltrail.kubernetes';

/**
 * The clusters of the user's kubeconfig as the settings choose them: `mltrail.kubernetes.kubeconfig` (a file that
 * replaces KUBECONFIG and ~/.kube/config) and `mltrail.kubernetes.context` (default: the kubeconfig's
 * current-context). The Kubernetes bundle is loaded on first use.
 */
export class KubernetesAccess implements vscode.Disposable {
  readonly load: () => Promise<KubernetesModule>;
  private readonly loadEmitter = new vscode.EventEmitter<void>();
  /** The bundle loaded (once): reading the kubeconfig costs little from then on. */
  readonly onDidLoad = this.loadEmitter.event;
  private loaded = false;

  constructor(load: () => Promise<KubernetesModule>) {
    this.load = async () => {
      const kubernetes = await load();
      if (!this.loaded) {
        this.loaded = true;
        this.loadEmitter.fire();
      }
      return kubernetes;
    };
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  dispose(): void {
    this.loadEmitter.dispose();
  }

  /**
   * The kubeconfig file the setting names (`~` and paths relative to the first workspace folder resolved). In
   * Restricted Mode only the user's own value counts: a kubeconfig can run credential plugins.
   */
  source(): KubeconfigSource | undefined {
    const setting = vscode.workspace.getConfiguration(SETTINGS);
    const file = (vscode.workspace.isTrusted ? setting.get<string>('kubeconfig', '') : (setting.inspect<string>('kubeconfig')?.globalValue ?? '')).trim();
    if (!file) return undefined;
    const expanded = file === '~' || file.startsWith(`~${path.sep}`) || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    return { file: path.resolve(base, expanded) };
  }

  /** The context chosen in the settings; undefined follows the kubeconfig's current-context. */
  chosenContext(): string | undefined {
    return vscode.workspace.getConfiguration(SETTINGS).get<string>('context', '').trim() || undefined;
  }

  async setChosenContext(context: string | undefined): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SETTINGS).update('context', context, target);
  }

  async setKubeconfigFile(file: string): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SETTINGS).update('kubeconfig', file, target);
  }

  /** Throws NoKubeconfig when there is none. */
  async contexts(): Promise<KubeContextList> {
    const list = await (await this.load()).readKubeContexts(this.source());
    knownKubeContext.set(list.current);
    return list;
  }

  /** `context` undefined: the chosen one, else the kubeconfig's current-context. */
  async connect(context: string | undefined): Promise<KubernetesConnection> {
    return (await this.load()).connectKubernetes(context ?? this.chosenContext(), this.source());
  }

  /** The kubeconfig files in use, for "Open kubeconfig": the setting's file, else KUBECONFIG's, else ~/.kube/config. */
  kubeconfigFiles(): string[] {
    const configured = this.source()?.file;
    if (configured) return [configured];
    const fromEnv = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
    return fromEnv.length > 0 ? fromEnv : [path.join(os.homedir(), '.kube', 'config')];
  }

  /**
   * Shows a Kubernetes failure in the client's own words made readable, with what helps next: picking another
   * context or opening the kubeconfig; a missing kubeconfig is said as such, with a way to choose one.
   */
  async reportError(error: unknown, where: { context?: string; server?: string }): Promise<void> {
    let kubernetes: KubernetesModule;
    try {
      kubernetes = await this.load();
    } catch (loadError) {
      // Without the bundle the error cannot be made readable: say it as it is, and why the bundle is missing.
      void vscode.window.showErrorMessage(`MLTrail: ${(error as Error)?.message ?? String(error)} (and the Kubernetes support could not be loaded: ${(loadError as Error).message})`);
      return;
    }
    if (error instanceof kubernetes.NoKubeconfig) {
      const choice = await vscode.window.showErrorMessage(`MLTrail: No kubeconfig found: ${error.message.replace(/^no kubeconfig: /i, '')}.`, 'Choose kubeconfig File…');
      if (choice) await this.chooseKubeconfigFile();
      return;
    }
    const message = kubernetes.describeKubernetesError(error, { context: where.context ?? this.chosenContext() ?? '(current context)', server: where.server ?? '' });
    const choice = await vscode.window.showErrorMessage(`MLTrail: ${message}`, 'Select Kubernetes Context', 'Open kubeconfig');
    if (choice === 'Select Kubernetes Context') await vscode.commands.executeCommand('mltrail.selectKubeContext');
    if (choice === 'Open kubeconfig') await this.openKubeconfig();
  }

  async chooseKubeconfigFile(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ title: 'Kubeconfig for MLTrail jobs', canSelectMany: false, openLabel: 'Use This kubeconfig', defaultUri: vscode.Uri.file(path.join(os.homedir(), '.kube')) });
    if (picked?.[0]) await this.setKubeconfigFile(picked[0].fsPath);
  }

  private async openKubeconfig(): Promise<void> {
    const [file] = this.kubeconfigFiles();
    if (!file) return;
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file));
    } catch (error) {
      void vscode.window.showErrorMessage(`MLTrail: cannot open ${file}: ${(error as Error).message}`);
    }
  }
}
