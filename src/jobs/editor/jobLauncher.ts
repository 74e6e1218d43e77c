import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { get, put } from '../../platform/dictionary.ts';
import { log } from '../../platform/editor/log.ts';
import { RUN_FILE, newRunId, runDir } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { type JobDefinition, type ParamSet, type ParamValue, parseJobDefinitions } from '../jobConfig.ts';
import { type JobRunPlan, expandSweep, planJobRuns } from '../jobParams.ts';
import type { JobBackend, KubernetesConnection } from '../kubernetes/kubernetesRun.ts';
import { gpuLabel } from './jobRows.ts';
import type { JobViewRow } from './jobsTree.ts';
import type { KubernetesAccess } from './kubernetesAccess.ts';
import type { KubernetesModule } from './kubernetesModule.ts';
import type { KubernetesTrackers } from './kubernetesTrackers.ts';
import { type LaunchJobRequest, parseLaunchJobRequest } from './launchRequest.ts';
import { type SpawnedLocalRun, defaultsPlan, localRunSpec, spawnLocalRun, startOneAfterAnother } from './localLaunch.ts';
import { formatParamInput, formatSweepValues, parseParamInput, parseSweepValues } from './paramInput.ts';

/** What a launch started; `mltrail.launchJob`, `mltrail.launchSweep` and `mltrail.rerunJob` return it. */
export interface JobLaunchResult {
  /** The folder's URI string. */
  folder: string;
  backend: JobBackend;
  runIds: string[];
  /** The Kubernetes context the runs went to. */
  context?: string;
}

interface Placement {
  backend: JobBackend;
  /** The context to connect to; undefined: the chosen one, else the kubeconfig's current-context. */
  context?: string;
}

export interface JobLauncherOptions {
  stores: WorkspaceStores;
  access: KubernetesAccess;
  trackers: KubernetesTrackers;
  /** The bundled CLI whose `mltrail run` is the background runner of local runs. */
  cliScript: string;
}

const NO_JOBS = 'MLTrail: no job is declared. Add one under "jobs" in mltrail.json, e.g. "train": {"command": ["python", "train.py", "--lr", "{lr}"], "params": {"lr": 0.001}}.';

/** How a local sweep's points run. */
type LocalSweepMode = 'oneAfterAnother' | 'allAtOnce' | 'defaults';

/**
 * Launches jobs: on this machine through the CLI's background runner (one per sweep point, so runs outlive the
 * window; a sweep's points one after another unless asked otherwise), or on Kubernetes (submitted under a
 * cancellable progress notification, then tracked).
 */
export class JobLauncher {
  private readonly options: JobLauncherOptions;

  constructor(options: JobLauncherOptions) {
    this.options = options;
  }

  /** `mltrail.launchJob`: from the CodeLens's argument, else by asking for the folder, the job and the backend. */
  async launchJob(argument?: unknown): Promise<JobLaunchResult | undefined> {
    if (!ensureTrusted()) return undefined;
    let request: LaunchJobRequest;
    try {
      request = parseLaunchJobRequest(argument);
    } catch (error) {
      void vscode.window.showErrorMessage(`MLTrail: cannot launch: ${(error as Error).message}`);
      return undefined;
    }
    const store = request.folder !== undefined ? this.storeOf(request.folder) : await this.pickStore((jobs) => jobs.length > 0);
    if (!store) return undefined;
    if (request.document !== undefined && !(await saveDocument(request.document))) return undefined;
    if (request.script !== undefined) return this.launchScript(store, request.script, request.backend);
    const jobs = declaredJobs(store);
    const job = request.job !== undefined ? findJob(store, jobs, request.job) : await pickJob(jobs, 'Job to launch');
    if (!job) return undefined;
    const plans = plan(job);
    if (!plans) return undefined;
    const placement = request.backend !== undefined ? await this.checkBackend(job, request.backend) : await this.pickPlacement(job, `Launch ${describeRuns(job.name, plans.length)} on…`);
    return placement && this.launch(store, job, plans, placement);
  }

  /** `mltrail.launchSweep`: a job with a sweep, each swept param's values editable as a comma list. */
  async launchSweep(): Promise<JobLaunchResult | undefined> {
    if (!ensureTrusted()) return undefined;
    const hasSweep = (job: JobDefinition) => Object.keys(job.sweep).length > 0;
    const store = await this.pickStore((jobs) => jobs.some(hasSweep), 'MLTrail: no job declares a "sweep". Add one to a job in mltrail.json, e.g. "sweep": {"lr": [0.001, 0.01, 0.1]}.');
    if (!store) return undefined;
    const job = await pickJob(declaredJobs(store).filter(hasSweep), 'Job whose sweep to launch');
    if (!job) return undefined;
    const sweep = await editSweep(job);
    if (!sweep) return undefined;
    const swept: JobDefinition = { ...job, sweep };
    const plans = plan(swept);
    if (!plans) return undefined;
    const placement = await this.pickPlacement(job, `Launch ${describeRuns(job.name, plans.length)} on…`, true);
    return placement && this.launch(store, swept, plans, placement);
  }

  /** `mltrail.rerunJob`: the run's job again, each param asked for with the run's value filled in, on the same backend. */
  async rerun(row: JobViewRow): Promise<JobLaunchResult | undefined> {
    if (!ensureTrusted()) return undefined;
    // An ad-hoc run of a script no job declares: the script again (it has no params to change).
    if (row.script !== undefined) return this.launchScript(row.store, row.script, 'local');
    const job = declaredJobs(row.store).find((declared) => declared.name === row.job);
    if (!job) {
      void vscode.window.showErrorMessage(`MLTrail: cannot re-run ${row.name}: job "${row.job}" is not declared in ${row.store.config.configFile} (any more).`);
      return undefined;
    }
    const runParams = row.store.findRun(row.runId)?.params ?? {};
    const names = [...new Set([...Object.keys(job.params), ...Object.keys(job.sweep)])];
    const params: ParamSet = {};
    for (const [at, name] of names.entries()) {
      const current = get(runParams, name) ?? get(job.params, name) ?? get(job.sweep, name)?.[0];
      const entered = await vscode.window.showInputBox({
        title: `Re-run ${row.name} with changed params (${at + 1}/${names.length})`,
        prompt: `${name} (JSON values such as 0.01, true or [1, 2]; anything else is text)`,
        value: formatParamInput(current),
        ignoreFocusOut: true,
      });
      if (entered === undefined) return undefined;
      put(params, name, parseParamInput(entered));
    }
    const plans = plan(job, params, 0);
    if (!plans) return undefined;
    return this.launch(row.store, job, plans, row.backend === 'kubernetes' ? { backend: 'kubernetes', ...(row.context ? { context: row.context } : {}) } : { backend: 'local' });
  }

  private async launch(store: FolderStore, job: JobDefinition, plans: JobRunPlan[], placement: Placement): Promise<JobLaunchResult | undefined> {
    if (placement.backend === 'kubernetes') return this.launchOnKubernetes(store, job, plans, placement.context);
    const mode = plans.length > 1 ? await pickSweepMode(job, plans.length) : 'allAtOnce';
    if (!mode) return undefined;
    const chosen = mode === 'defaults' ? planDefaults(job) : plans;
    if (!chosen) return undefined;
    const declared = declaredJobs(store).find((candidate) => candidate.name === job.name) ?? job;
    const runs = chosen.map((planned) => {
      const spec = localRunSpec(declared, planned);
      const runId = newRunId();
      const start = () => {
        const spawned = spawnLocalRun({ cliScript: this.options.cliScript, folder: store.folder.uri.fsPath, target: { job: job.name, index: spec.index }, runId, params: spec.params });
        reportRefusal(store, spawned, planned.name);
        return spawned;
      };
      return { runId, start };
    });
    if (mode === 'oneAfterAnother') {
      void startOneAfterAnother(runs.map((run) => run.start)).catch((error: unknown) => {
        log().error(`sweep of ${job.name} stopped: ${(error as Error).stack ?? String(error)}`);
        void vscode.window.showErrorMessage(`MLTrail: the sweep of ${job.name} stopped: ${(error as Error).message}`);
      });
    } else {
      for (const run of runs) run.start();
    }
    const how = mode === 'oneAfterAnother' ? ', one after another,' : '';
    vscode.window.setStatusBarMessage(`$(play) Launched ${describeRuns(job.name, runs.length)}${how} on this machine`, 5000);
    return { folder: store.folder.uri.toString(), backend: 'local', runIds: runs.map((run) => run.runId) };
  }

  private launchScript(store: FolderStore, script: string, backend: JobBackend | undefined): JobLaunchResult | undefined {
    if (backend === 'kubernetes') {
      void vscode.window.showErrorMessage(`MLTrail: ${script} is not a job: declare it under "jobs" in mltrail.json with a "kubernetes" section (image, resources) to run it on a cluster.`);
      return undefined;
    }
    if (!fs.existsSync(path.join(store.folder.uri.fsPath, script))) {
      void vscode.window.showErrorMessage(`MLTrail: cannot launch ${script}: no such file in ${store.folder.name}.`);
      return undefined;
    }
    const spawned = spawnLocalRun({ cliScript: this.options.cliScript, folder: store.folder.uri.fsPath, target: { script }, runId: newRunId(), params: {} });
    reportRefusal(store, spawned, script);
    vscode.window.setStatusBarMessage(`$(play) Launched ${script} on this machine`, 5000);
    return { folder: store.folder.uri.toString(), backend: 'local', runIds: [spawned.runId] };
  }

  private async launchOnKubernetes(store: FolderStore, job: JobDefinition, plans: JobRunPlan[], context: string | undefined): Promise<JobLaunchResult | undefined> {
    const { access, trackers } = this.options;
    const abort = new AbortController();
    let connection: KubernetesConnection | undefined;
    let submission: Awaited<ReturnType<KubernetesModule['submitKubernetesJob']>>;
    try {
      const kubernetes = await access.load();
      submission = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `MLTrail: launching ${describeRuns(job.name, plans.length)} on Kubernetes`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: `connecting to ${context ?? access.chosenContext() ?? 'the current context'}…` });
          connection = await access.connect(context);
          progress.report({ message: `creating the Job in ${connection.context}/${connection.namespace}…` });
          return kubernetes.submitKubernetesJob({ connection, folder: store.folder.uri.fsPath, storeDir: store.config.storeDir, job, plans, signal: abort.signal });
        },
      );
    } catch (error) {
      // Only the abort itself is a clean cancel: a failure on the way out (the Job could not be deleted) is shown.
      if (isAbortOf(abort.signal, error)) {
        vscode.window.setStatusBarMessage('$(circle-slash) Kubernetes launch cancelled', 5000);
        return undefined;
      }
      log().error(`Kubernetes launch of ${job.name} failed: ${(error as Error).stack ?? String(error)}`);
      void access.reportError(error, connection ?? (context ? { context } : {}));
      return undefined;
    }
    const submitted = connection as KubernetesConnection;
    const runs = submission.runs.map((run) => ({ id: run.id, name: run.plan.name, job: run.plan.job }));
    const result: JobLaunchResult = { folder: store.folder.uri.toString(), backend: 'kubernetes', runIds: runs.map((run) => run.id), context: submitted.context };
    vscode.window.setStatusBarMessage(`$(cloud-upload) Launched ${describeRuns(job.name, runs.length)} on ${submitted.context}`, 5000);
    try {
      await trackers.track({ storeDir: store.config.storeDir, folder: store.folder.uri.fsPath }, submitted, submission.placement, runs);
    } catch (error) {
      // The Job runs: a second launch would run it twice. Following it is what failed.
      log().error(`following the Kubernetes launch of ${job.name}: ${(error as Error).stack ?? String(error)}`);
      void vscode.window.showWarningMessage(
        `MLTrail: ${describeRuns(job.name, runs.length)} launched on ${submitted.context}, but this window cannot follow it: ${(error as Error).message}. Its rows keep the state last saved; MLTrail tries to follow it again in a while.`,
      );
    }
    return result;
  }

  /** "Local machine" or "Kubernetes: <context> (N× GPU)" when the job has a "kubernetes" section. */
  private async pickPlacement(job: JobDefinition, placeHolder: string, alwaysAsk = false): Promise<Placement | undefined> {
    const local = { label: '$(vm) Local machine', description: 'in this folder, in the background', placement: { backend: 'local' } as Placement };
    if (!job.kubernetes && !alwaysAsk) return local.placement;
    const items = [local];
    if (job.kubernetes) {
      const context = jobContext(job);
      const shown = context ?? this.options.access.chosenContext() ?? (await this.currentContext());
      const gpus = gpusOf(job);
      items.push({ label: `$(cloud) Kubernetes: ${shown ?? 'no kubeconfig found'}${gpus > 0 ? ` (${gpuLabel(gpus)})` : ''}`, description: gpus > 0 ? '' : 'no GPU', placement: context ? { backend: 'kubernetes', context } : { backend: 'kubernetes' } });
    }
    const picked = await vscode.window.showQuickPick(items, { placeHolder });
    return picked?.placement;
  }

  private async checkBackend(job: JobDefinition, backend: JobBackend): Promise<Placement | undefined> {
    if (backend === 'local') return { backend };
    if (!job.kubernetes) {
      void vscode.window.showErrorMessage(`MLTrail: job "${job.name}" has no "kubernetes" section in mltrail.json (image, resources): it can only run on this machine.`);
      return undefined;
    }
    const context = jobContext(job);
    return context ? { backend, context } : { backend };
  }

  private async currentContext(): Promise<string | undefined> {
    try {
      return (await this.options.access.contexts()).current;
    } catch {
      return undefined;
    }
  }

  private storeOf(folder: string): FolderStore | undefined {
    let key: string;
    try {
      key = vscode.Uri.parse(folder, true).toString();
    } catch {
      key = folder;
    }
    const store = this.options.stores.get(key);
    if (!store) void vscode.window.showErrorMessage(`MLTrail: cannot launch: ${folder} is not a folder of this workspace.`);
    return store;
  }

  private async pickStore(fits: (jobs: JobDefinition[]) => boolean, noneMessage = NO_JOBS): Promise<FolderStore | undefined> {
    const stores = (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
      const store = this.options.stores.get(folder.uri.toString());
      return store && fits(declaredJobs(store)) ? [store] : [];
    });
    if (stores.length === 0) {
      void vscode.window.showInformationMessage(noneMessage);
      return undefined;
    }
    if (stores.length === 1) return stores[0];
    const picked = await vscode.window.showQuickPick(
      stores.map((store) => ({ label: store.folder.name, description: declaredJobs(store).map((job) => job.name).join(', '), store })),
      { placeHolder: 'Workspace folder whose job to launch' },
    );
    return picked?.store;
  }
}

/** Whether `error` is the abort of `signal` (what `throwIfAborted` or an aborted request throws), not a failure after it. */
function isAbortOf(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted && (error === signal.reason || (error instanceof Error && error.name === 'AbortError'));
}

/** Saves the document a lens launched from, when it has unsaved changes: the job runs the file on disk. */
async function saveDocument(uri: string): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
  if (!document?.isDirty) return true;
  if (await document.save()) return true;
  void vscode.window.showErrorMessage(`MLTrail: cannot launch: ${vscode.workspace.asRelativePath(document.uri)} could not be saved.`);
  return false;
}

/** "One after another" (the default), "All at once" or "Only the defaults" for a sweep of `count` runs on this machine. */
async function pickSweepMode(job: JobDefinition, count: number): Promise<LocalSweepMode | undefined> {
  const items: Array<vscode.QuickPickItem & { mode: LocalSweepMode }> = [
    { label: `One after another (${count} runs)`, description: 'each point starts when the one before has ended', mode: 'oneAfterAnother' },
    { label: `All at once (${count} processes)`, description: 'every point starts now, side by side', mode: 'allAtOnce' },
    { label: 'Only the defaults (1 run)', description: 'the params as declared, no sweep', mode: 'defaults' },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `The sweep of ${job.name} has ${count} points: how should they run on this machine?` });
  return picked?.mode;
}

function planDefaults(job: JobDefinition): JobRunPlan[] | undefined {
  try {
    return [defaultsPlan(job)];
  } catch (error) {
    void vscode.window.showErrorMessage(`MLTrail: cannot launch ${job.name}: ${(error as Error).message}`);
    return undefined;
  }
}

function ensureTrusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage('MLTrail: launching or cancelling jobs runs code, which Restricted Mode does not allow. Trust this workspace first.');
  return false;
}

/** The folder's jobs; mistakes in them are logged (and the job left out). */
function declaredJobs(store: FolderStore): JobDefinition[] {
  const { jobs, problems } = parseJobDefinitions(store.config);
  for (const problem of problems) log().warn(`${store.config.configFile}:${problem.line}: ${problem.message}`);
  return jobs;
}

function findJob(store: FolderStore, jobs: JobDefinition[], name: string): JobDefinition | undefined {
  const job = jobs.find((candidate) => candidate.name === name);
  if (!job) void vscode.window.showErrorMessage(`MLTrail: no job "${name}" in ${store.config.configFile}${jobs.length ? ` (jobs: ${jobs.map((candidate) => candidate.name).join(', ')})` : ''}.`);
  return job;
}

async function pickJob(jobs: JobDefinition[], placeHolder: string): Promise<JobDefinition | undefined> {
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(NO_JOBS);
    return undefined;
  }
  if (jobs.length === 1) return jobs[0];
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => {
      const points = expandSweep(job.sweep).length;
      return { label: job.name, description: [job.kubernetes ? 'local or Kubernetes' : 'local', points > 1 ? `${points} sweep points` : ''].filter(Boolean).join(' · '), detail: job.command.join(' '), job };
    }),
    { placeHolder, matchOnDetail: true },
  );
  return picked?.job;
}

/** Asks for each swept param's values; the input box counts the runs the sweep makes as they are typed. */
async function editSweep(job: JobDefinition): Promise<Record<string, ParamValue[]> | undefined> {
  const sweep: Record<string, ParamValue[]> = {};
  for (const [name, values] of Object.entries(job.sweep)) put(sweep, name, values);
  for (const name of Object.keys(job.sweep)) {
    const entered = await vscode.window.showInputBox({
      title: `Sweep of ${job.name}: values of ${name}`,
      prompt: 'Comma-separated values (JSON where it is JSON: 0.01, true, "text"; else text), or a JSON list',
      value: formatSweepValues(get(sweep, name) ?? []),
      ignoreFocusOut: true,
      validateInput: (text) => {
        try {
          const points = expandSweep({ ...sweep, [name]: parseSweepValues(text) }).length;
          return { message: `${points} run${points === 1 ? '' : 's'} in all`, severity: vscode.InputBoxValidationSeverity.Info };
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (entered === undefined) return undefined;
    put(sweep, name, parseSweepValues(entered));
  }
  return sweep;
}

function plan(job: JobDefinition, overrides: ParamSet = {}, index?: number): JobRunPlan[] | undefined {
  try {
    return planJobRuns(job, overrides, index);
  } catch (error) {
    void vscode.window.showErrorMessage(`MLTrail: cannot launch ${job.name}: ${(error as Error).message}`);
    return undefined;
  }
}

/** A local runner that exits without having recorded its run was refused by the CLI: say why. */
function reportRefusal(store: FolderStore, spawned: SpawnedLocalRun, name: string): void {
  void spawned.exited.then(({ code, stderr }) => {
    if (fs.existsSync(path.join(runDir(store.config.storeDir, spawned.runId), RUN_FILE))) return;
    const why = stderr.trim() || `the runner exited with code ${code ?? 'unknown'}`;
    log().error(`launch of ${name} (${spawned.runId}) refused: ${why}`);
    void vscode.window.showErrorMessage(`MLTrail: ${name} did not start: ${why}`);
  });
}

function jobContext(job: JobDefinition): string | undefined {
  const context = job.kubernetes?.context;
  return typeof context === 'string' && context.length > 0 ? context : undefined;
}

function gpusOf(job: JobDefinition): number {
  const gpus = job.resources?.gpus;
  return typeof gpus === 'number' && Number.isInteger(gpus) && gpus > 0 ? gpus : 0;
}

function describeRuns(job: string, count: number): string {
  return count === 1 ? job : `${count} runs of ${job}`;
}
