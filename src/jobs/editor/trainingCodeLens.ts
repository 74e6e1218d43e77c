import path from 'node:path';
import * as vscode from 'vscode';
import type { RunNode } from '../../runs/editor/experimentsTree.ts';
import type { RunSummary } from '../../runs/runSummary.ts';
import type { WorkspaceConfig } from '../../store/config.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { type JobDefinition, parseJobDefinitions } from '../jobConfig.ts';
import {
  type PythonSourceScan,
  type TrainingScript,
  type WorkspaceFile,
  isPythonPath,
  kubernetesRunTitle,
  lastRunTitle,
  localRunTitle,
  runsOfTrainingScript,
  scanPythonSource,
  trainingScriptOf,
  workspacePath,
} from '../trainingScripts.ts';
import { knownKubeContext } from './knownKubeContext.ts';

/** Runs appending metrics change the store every few milliseconds: the "Last run" lens follows at most this often. */
const RUNS_REFRESH_DELAY_MS = 500;
/** "Last run: ... · 5m ago" is redrawn this often when no run changes, so its time stays true. */
const CLOCK_REFRESH_MS = 60_000;

/** What `mltrail.launchJob` takes from a lens: a declared job, or a script no job declares; `document` is saved first. */
export type LaunchRequest = { folder: string; backend: 'local' | 'kubernetes'; document: string } & ({ job: string } | { script: string });

/**
 * "Run locally", "Run on <context>", "Last run" and "Compare runs" above training scripts (see trainingScripts.ts),
 * in trusted workspaces only. A document's text is scanned once per version, however often the lenses are redrawn
 * for new runs.
 */
export class TrainingCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly stores: WorkspaceStores;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly scans = new Map<string, { version: number; scan: PythonSourceScan }>();
  private readonly jobsByConfig = new WeakMap<WorkspaceConfig, JobDefinition[]>();
  private readonly subscriptions: vscode.Disposable[];
  private runsTimer: NodeJS.Timeout | undefined;
  private readonly clock: NodeJS.Timeout;

  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(stores: WorkspaceStores) {
    this.stores = stores;
    const refresh = () => this.changeEmitter.fire();
    this.subscriptions = [
      // A folder's mltrail.json changed, its jobs with it: the new config object has no parsed jobs cached yet.
      stores.onDidChangeStores(refresh),
      // "Run on <current-context>" once something has read the kubeconfig.
      knownKubeContext.onDidChange(refresh),
      stores.onDidChangeRuns(() => {
        this.runsTimer ??= setTimeout(() => {
          this.runsTimer = undefined;
          refresh();
        }, RUNS_REFRESH_DELAY_MS);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('mltrail.codeLens.enabled') || event.affectsConfiguration('mltrail.kubernetes.context')) refresh();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.scans.delete(document.uri.toString())),
    ];
    this.clock = setInterval(refresh, CLOCK_REFRESH_MS);
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted) return [];
    if (!vscode.workspace.getConfiguration('mltrail', document.uri).get<boolean>('codeLens.enabled', true)) return [];
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const store = folder && this.stores.get(folder.uri.toString());
    if (!folder || !store) return [];
    const file: WorkspaceFile = { folder: folder.uri.fsPath, path: path.relative(folder.uri.fsPath, document.uri.fsPath) };
    const isPython = document.languageId === 'python' || isPythonPath(document.uri.fsPath);
    const script = trainingScriptOf(file, this.jobsOf(store.config), isPython ? this.scanOf(document) : undefined);
    if (!script) return [];
    // The "Last run" lens needs the runs; loading also starts watching, so the first run of a new store shows up.
    await store.ensureLoaded();
    if (token.isCancellationRequested) return [];
    return this.lenses(store, file, script, document.uri.toString());
  }

  dispose(): void {
    clearTimeout(this.runsTimer);
    clearInterval(this.clock);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private lenses(store: FolderStore, file: WorkspaceFile, script: TrainingScript, document: string): vscode.CodeLens[] {
    const range = new vscode.Range(script.line, 0, script.line, 0);
    const folder = store.folder.uri.toString();
    const runs = store.runs();
    const chosenContext = vscode.workspace.getConfiguration('mltrail', store.folder.uri).get<string>('kubernetes.context');
    const lens = (title: string, command: string, args: unknown[], tooltip?: string) => new vscode.CodeLens(range, { title, command, arguments: args, ...(tooltip ? { tooltip } : {}) });
    const runLenses = (prefix: string, jobRuns: RunSummary[]) => {
      const [last] = jobRuns;
      if (!last) return [];
      const nodes = jobRuns.map((run): RunNode => ({ kind: 'run', store, runId: run.id }));
      // A second argument, the "selection", makes openRun focus the panel and compareRuns take every run given.
      const open = lens(`${prefix}${lastRunTitle(last, store.config.keyMetric, Date.now())}`, 'mltrail.openRun', [nodes[0], nodes.slice(0, 1)], `Open run ${last.name}`);
      if (jobRuns.length < 2) return [open];
      return [open, lens(`${prefix}Compare runs`, 'mltrail.compareRuns', [nodes[0], nodes], `Compare the ${jobRuns.length} runs`)];
    };

    if (script.jobs.length === 0) {
      const relative = workspacePath(file.path, file.folder) ?? file.path;
      const launch: LaunchRequest = { folder, script: relative, backend: 'local', document };
      return [lens('$(play) Run locally', 'mltrail.launchJob', [launch], `Run ${relative} as a run of the store`), ...runLenses('', runsOfTrainingScript(runs, { script: file }))];
    }
    const prefixed = script.jobs.length > 1;
    return script.jobs.flatMap((job) => {
      const prefix = prefixed ? `${job.name}: ` : '';
      const local: LaunchRequest = { folder, job: job.name, backend: 'local', document };
      const lenses = [lens(`${prefix}$(play) ${localRunTitle(job)}`, 'mltrail.launchJob', [local], `Run job ${job.name} on this machine`)];
      if (job.kubernetes) {
        const remote: LaunchRequest = { folder, job: job.name, backend: 'kubernetes', document };
        lenses.push(lens(`${prefix}$(cloud-upload) ${kubernetesRunTitle(job, chosenContext, knownKubeContext.current)}`, 'mltrail.launchJob', [remote], `Submit job ${job.name} to Kubernetes`));
      }
      return [...lenses, ...runLenses(prefix, runsOfTrainingScript(runs, { job: job.name }))];
    });
  }

  private jobsOf(config: WorkspaceConfig): JobDefinition[] {
    let jobs = this.jobsByConfig.get(config);
    if (!jobs) {
      jobs = parseJobDefinitions(config).jobs;
      this.jobsByConfig.set(config, jobs);
    }
    return jobs;
  }

  private scanOf(document: vscode.TextDocument): PythonSourceScan {
    const key = document.uri.toString();
    const cached = this.scans.get(key);
    if (cached?.version === document.version) return cached.scan;
    const scan = scanPythonSource(document.getText());
    this.scans.set(key, { version: document.version, scan });
    return scan;
  }
}

/** Registers the provider for files on disk: Python files, and any file a job names as its script. */
export function registerTrainingCodeLens(stores: WorkspaceStores): vscode.Disposable {
  const provider = new TrainingCodeLensProvider(stores);
  return vscode.Disposable.from(provider, vscode.languages.registerCodeLensProvider({ scheme: 'file' }, provider));
}
