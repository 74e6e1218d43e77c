// What the API server does to a Job before storing it: validation (422 Invalid) and defaulting, including the
// controller-uid/job-name labels it adds to the selector and the pod template.
import { randomUUID } from 'node:crypto';
import { ApiError } from './apiStatus.ts';
import type { KubeObject } from './objectStore.ts';

function invalid(name: string, field: string, detail: string, reason: string): ApiError {
  return new ApiError(422, 'Invalid', `Job.batch "${name}" is invalid: ${field}: ${detail}`, {
    name,
    group: 'batch',
    kind: 'Job',
    causes: [{ reason, message: detail, field }],
  });
}

export function validateJob(job: KubeObject): void {
  const name = job.metadata?.name ?? '';
  if (!name) throw invalid(name, 'metadata.name', 'Required value: name or generateName is required', 'FieldValueRequired');
  if (!job.spec?.template) throw invalid(name, 'spec.template.spec.containers', 'Required value', 'FieldValueRequired');
  const containers = job.spec.template.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(name, 'spec.template.spec.containers', 'Required value', 'FieldValueRequired');
  }
  const restartPolicy = job.spec.template.spec.restartPolicy;
  if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') {
    throw invalid(name, 'spec.template.spec.restartPolicy', `Required value: valid values: "OnFailure", "Never"`, 'FieldValueRequired');
  }
}

/** Fills in what Kubernetes defaults; the uid is chosen here because the labels carry it. */
export function defaultJob(job: KubeObject): { job: KubeObject; uid: string } {
  const uid = randomUUID();
  const name = job.metadata.name;
  const controllerLabels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  const spec = job.spec;
  const defaulted: KubeObject = {
    ...job,
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...job.metadata, labels: { ...controllerLabels, ...job.metadata.labels } },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      ...spec,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { ...spec.template, metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, ...controllerLabels } } },
    },
    status: {},
  };
  return { job: defaulted, uid };
}
