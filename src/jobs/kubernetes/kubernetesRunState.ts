import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../platform/atomicFile.ts';
import { JOB_STATE_FILE } from '../jobFiles.ts';
import type { KubernetesRunState } from './kubernetesRun.ts';

// The `kubernetes` section of a run's job-state.json. The file's other fields (logOffset, pendingModels, ...) belong
// to the log applier and the model registration; every write here keeps them as they are.

/** The run's Kubernetes state, or undefined when job-state.json is missing, unreadable or has no such section. */
export function readKubernetesRunState(dir: string): KubernetesRunState | undefined {
  const section = readJobStateObject(dir).kubernetes;
  return isKubernetesRunState(section) ? section : undefined;
}

/** Sets the section, creating job-state.json when the run has none yet. */
export function writeKubernetesRunState(dir: string, state: KubernetesRunState): void {
  writeFileAtomic(path.join(dir, JOB_STATE_FILE), JSON.stringify({ ...readJobStateObject(dir), kubernetes: state }) + '\n');
}

/** Rewrites the section through `change`; throws when the run has no Kubernetes state to change. */
export function updateKubernetesRunState(dir: string, change: (state: KubernetesRunState) => KubernetesRunState): void {
  const current = readKubernetesRunState(dir);
  if (!current) throw new Error(`${path.join(dir, JOB_STATE_FILE)} has no "kubernetes" section: the run was not submitted to Kubernetes`);
  writeKubernetesRunState(dir, change(current));
}

function readJobStateObject(dir: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, JOB_STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function isKubernetesRunState(value: unknown): value is KubernetesRunState {
  if (value === null || typeof value !== 'object') return false;
  const state = value as Partial<KubernetesRunState>;
  return (
    typeof state.placement === 'object' &&
    state.placement !== null &&
    typeof state.index === 'number' &&
    typeof state.phase === 'string' &&
    typeof state.pods === 'object' &&
    state.pods !== null &&
    Array.isArray(state.copiedEvents)
  );
}
