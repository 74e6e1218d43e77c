import * as vscode from 'vscode';

/**
 * The kubeconfig's current-context as last read. Reading it loads the Kubernetes bundle, so nothing reads it only
 * for this: the "Run on …" CodeLens names it once something else has (the status bar item, a launch, the picker).
 * One per extension host, since the CodeLens and the Jobs feature are registered apart.
 */
class KnownKubeContext {
  private name: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  get current(): string | undefined {
    return this.name;
  }

  set(name: string | undefined): void {
    if (name === this.name) return;
    this.name = name;
    this.changeEmitter.fire();
  }
}

export const knownKubeContext = new KnownKubeContext();
