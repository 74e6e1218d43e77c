import path from 'node:path';
import * as vscode from 'vscode';
import type { StoreProblem } from '../../runs/runIndex.ts';
import type { FolderStore } from './folderStore.ts';
import type { WorkspaceStores } from './workspaceStores.ts';

/**
 * Malformed store lines and mltrail.json mistakes in the Problems panel, at their file and line. A line that is
 * fixed disappears from the list when its file is next read.
 */
export class StoreProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mltrail');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly stores: WorkspaceStores;
  /** Files that currently have diagnostics: only these need clearing, so a load of 10,000 clean runs costs nothing. */
  private readonly filesWithProblems = new Set<string>();
  /** Files of other trackers (MLflow, DVCLive) with diagnostics, per store. */
  private readonly sourceFiles = new Map<FolderStore, Set<string>>();
  private readonly shownSourceProblems = new Map<FolderStore, readonly unknown[]>();

  constructor(stores: WorkspaceStores) {
    this.stores = stores;
    this.subscriptions.push(
      stores.onDidChangeRuns(({ store, change }) => {
        const updates: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]> = [];
        const own = (ids: string[]) => ids.filter((id) => !store.externalRuns.get(id));
        for (const runId of own([...change.added, ...change.updated])) this.collectRun(store, runId, store.index.problems(runId), updates);
        for (const runId of own(change.removed)) this.collectRun(store, runId, [], updates);
        this.collectSourceProblems(store, updates);
        if (updates.length > 0) this.collection.set(updates);
      }),
      stores.onDidChangeStores(() => this.showConfigs()),
    );
    this.showConfigs();
  }

  dispose(): void {
    this.collection.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private collectRun(store: FolderStore, runId: string, problems: StoreProblem[], updates: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]>): void {
    const byPath = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      const line = Math.max(0, problem.line - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), `Skipped: ${problem.message}`, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'MLTrail';
      byPath.set(problem.path, [...(byPath.get(problem.path) ?? []), diagnostic]);
    }
    for (const file of ['run.jsonl', 'metrics.jsonl']) {
      const filePath = path.join(store.index.runDir(runId), file);
      const diagnostics = byPath.get(filePath);
      if (diagnostics) {
        this.filesWithProblems.add(filePath);
        updates.push([vscode.Uri.file(filePath), diagnostics]);
      } else if (this.filesWithProblems.delete(filePath)) {
        updates.push([vscode.Uri.file(filePath), undefined]);
      }
    }
  }

  /** Lines and files another tracker's reader could not take in, replacing what was shown for that store. */
  private collectSourceProblems(store: FolderStore, updates: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]>): void {
    // The list is replaced on every reload of the sources, so an unchanged one is the same array.
    const problems = store.externalRuns.problems();
    if (this.shownSourceProblems.get(store) === problems) return;
    this.shownSourceProblems.set(store, problems);
    const byPath = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), problem.message, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'MLTrail';
      byPath.set(problem.path, [...(byPath.get(problem.path) ?? []), diagnostic]);
    }
    const previous = this.sourceFiles.get(store) ?? new Set<string>();
    for (const file of previous) if (!byPath.has(file)) updates.push([vscode.Uri.file(file), undefined]);
    for (const [file, diagnostics] of byPath) updates.push([vscode.Uri.file(file), diagnostics]);
    this.sourceFiles.set(store, new Set(byPath.keys()));
  }

  private showConfigs(): void {
    for (const store of this.stores.withStore()) {
      const uri = vscode.Uri.file(store.config.configFile);
      const diagnostics = store.config.problems.map((problem) => {
        const line = Math.max(0, problem.line - 1);
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), problem.message, vscode.DiagnosticSeverity.Warning);
        diagnostic.source = 'MLTrail';
        return diagnostic;
      });
      if (diagnostics.length > 0) this.collection.set(uri, diagnostics);
      else this.collection.delete(uri);
    }
  }
}
