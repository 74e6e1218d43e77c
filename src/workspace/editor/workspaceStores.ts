import * as vscode from 'vscode';
import type { IndexChange } from '../../runs/runIndex.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import type { StoreState } from '../storeState.ts';
import { FolderStore, type WorkerScripts } from './folderStore.ts';


export interface StoreChange {
  store: FolderStore;
  change: IndexChange;
}

/** Every workspace folder's store; each folder of a multi-root workspace has its own. */
export class WorkspaceStores implements vscode.Disposable {
  private readonly stores = new Map<string, FolderStore>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<StoreChange>();
  private readonly storesEmitter = new vscode.EventEmitter<void>();
  private readonly workerScripts: WorkerScripts;
  private state: StoreState | undefined;

  readonly onDidChangeRuns = this.changeEmitter.event;
  /** Folders were added or removed, or a folder's mltrail.json changed. */
  readonly onDidChangeStores = this.storesEmitter.event;

  constructor(workerScripts: WorkerScripts) {
    this.workerScripts = workerScripts;
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.add(folder);
    this.subscriptions.push(
      vscode.workspace.onDidChangeWorkspaceFolders(({ added, removed }) => {
        for (const folder of removed) {
          this.stores.get(folder.uri.toString())?.dispose();
          this.stores.delete(folder.uri.toString());
        }
        for (const folder of added) this.add(folder);
        this.updateState();
        this.storesEmitter.fire();
      }),
    );
    this.updateState();
  }

  /** Folders that have a store, in workspace order. */
  withStore(): FolderStore[] {
    return [...this.stores.values()].filter((store) => store.hasStore);
  }

  get(folderUri: string): FolderStore | undefined {
    return this.stores.get(folderUri);
  }

  /** Loads every store that exists (once; later calls wait for the same loads). */
  async ensureLoaded(): Promise<FolderStore[]> {
    const stores = this.withStore();
    await Promise.all(stores.map((store) => store.ensureLoaded()));
    this.updateState();
    return stores;
  }

  async allRuns(): Promise<Array<{ store: FolderStore; run: RunSummary }>> {
    const stores = await this.ensureLoaded();
    return stores.flatMap((store) => store.runs().map((run) => ({ store, run })));
  }

  dispose(): void {
    for (const store of this.stores.values()) store.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.storesEmitter.dispose();
  }

  private add(folder: vscode.WorkspaceFolder): void {
    const store = new FolderStore(folder, this.workerScripts);
    this.stores.set(folder.uri.toString(), store);
    store.onDidChangeRuns((change) => {
      this.updateState();
      this.changeEmitter.fire({ store, change });
    });
    store.onDidChangeConfig(() => {
      this.updateState();
      this.storesEmitter.fire();
    });
  }

  private updateState(): void {
    const stores = this.withStore();
    let state: StoreState = 'none';
    if (stores.length > 0) {
      const allLoadedAndEmpty = stores.every((store) => store.isLoaded && store.runs().length === 0);
      state = allLoadedAndEmpty ? 'empty' : 'store';
    }
    if (state !== this.state) {
      this.state = state;
      void vscode.commands.executeCommand('setContext', 'mltrail.storeState', state);
    }
  }
}
