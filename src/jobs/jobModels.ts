import { parseModelConfigs } from '../models/modelConfig.ts';
import type { ModelVersion } from '../models/modelRecords.ts';
import { registerModelVersion } from '../models/registry.ts';
import { readSourceRun } from '../models/sourceRun.ts';
import type { EndStatus } from '../runs/records.ts';
import { loadWorkspaceConfig } from '../store/config.ts';
import { LOGS_FILE, readJobState, reportJobProblem, writeJobState } from './jobFiles.ts';

/**
 * Registers the versions the run's `model` records asked for, once the run has ended so that each version carries
 * the run's final metrics, and only when the run finished. A model must be declared in mltrail.json "models". Each failure is written to
 * job-problems.txt and never fails the run. Each model leaves the pending list once tried, so a second call
 * registers nothing twice.
 */
export async function registerPendingModels(folder: string, storeDir: string, dir: string, runId: string, status: EndStatus): Promise<ModelVersion[]> {
  const pending = readJobState(dir).pendingModels;
  if (pending.length === 0) return [];
  const { models } = parseModelConfigs(loadWorkspaceConfig(folder));
  const registered: ModelVersion[] = [];
  for (const request of pending) {
    const where = `${LOGS_FILE}:${request.line}: model "${request.name}"`;
    const model = models.find((declared) => declared.name === request.name);
    try {
      if (status !== 'finished') throw new Error(`the run ended ${status}`);
      if (!model) throw new Error('is not declared in mltrail.json "models"');
      const { run } = readSourceRun(storeDir, runId);
      registered.push(await registerModelVersion({ storeDir, folder, model, run, ...(request.path === undefined ? {} : { artifactPath: request.path }) }));
    } catch (error) {
      reportJobProblem(dir, `${where} not registered: ${(error as Error).message}`);
    }
    const state = readJobState(dir);
    writeJobState(dir, { ...state, pendingModels: state.pendingModels.filter((other) => other.line !== request.line) });
  }
  return registered;
}
