// Job manifests for tests against the fake API server.
import type { PodScriptName } from './podScripts.ts';
import { scriptLabel } from './podScripts.ts';

export interface TrainingJobOptions {
  script?: PodScriptName;
  completions?: number;
  indexed?: boolean;
  suspend?: boolean;
  backoffLimit?: number;
  labels?: Record<string, string>;
}

export function trainingJob(name: string, options: TrainingJobOptions = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: options.labels ?? {} },
    spec: {
      completions: options.completions,
      parallelism: options.completions,
      completionMode: options.indexed ? 'Indexed' : undefined,
      suspend: options.suspend,
      backoffLimit: options.backoffLimit ?? 0,
      template: {
        metadata: { labels: { app: 'train', ...(options.script ? { [scriptLabel]: options.script } : {}) } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'pytorch/pytorch:2.5', command: ['python', 'train.py'] }] },
      },
    },
  };
}
