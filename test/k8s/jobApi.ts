// What the API server does to a Job before storing it: validation (422 Invalid) and defaulting, including the
// controller-uid/job-name labels it adds to the selector and the pod template.
import { randomUUID } from 'node:crypto';
import { checkDnsSubdomain, checkLabels, checkNonNegativeInteger, FieldErrors } from './fieldErrors.ts';
import type { KubeObject } from './objectStore.ts';
import { validatePodTemplateSpec } from './podSpecValidation.ts';

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const RESTART_POLICIES = ['OnFailure', 'Never'];
/** The most indexes an Indexed Job may have. */
const MAX_INDEXED_COMPLETIONS = 100_000;
/** backoffLimit's default when backoffLimitPerIndex is set: the per-index limits decide alone. */
const MAX_INT32 = 2_147_483_647;

/** ValidateJob, as far as the fake goes: every problem found is reported in one 422 Invalid. */
export function validateJob(job: KubeObject): void {
  const errors = new FieldErrors();
  const name = job.metadata?.name ?? '';
  if (!name) {
    errors.required('metadata.name', 'name or generateName is required');
  } else {
    checkDnsSubdomain(errors, 'metadata.name', name);
    // The name becomes the value of the pods' job-name label.
    if (name.length > 63) errors.invalid('metadata.name', name, 'must be no more than 63 characters');
  }
  checkLabels(errors, 'metadata.labels', job.metadata?.labels);
  const spec = job.spec ?? {};
  for (const field of ['backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'parallelism', 'completions'] as const) {
    checkNonNegativeInteger(errors, `spec.${field}`, spec[field]);
  }
  if (spec.completionMode !== undefined && !COMPLETION_MODES.includes(spec.completionMode)) errors.notSupported('spec.completionMode', spec.completionMode, COMPLETION_MODES);
  if (spec.completionMode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) errors.required('spec.completions', 'when completion mode is Indexed');
    else if (spec.completions > MAX_INDEXED_COMPLETIONS) errors.invalid('spec.completions', spec.completions, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`);
    if (isSet(spec.maxFailedIndexes) && isSet(spec.completions) && spec.maxFailedIndexes > spec.completions) {
      errors.invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'must be less than or equal to completions');
    }
  } else {
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
      if (isSet(spec[field])) errors.invalid(`spec.${field}`, spec[field], 'requires indexed completion mode');
    }
  }
  if (isSet(spec.maxFailedIndexes) && !isSet(spec.backoffLimitPerIndex)) errors.required('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified');
  if (!spec.template) {
    errors.required('spec.template.spec.containers');
  } else {
    validatePodTemplateSpec(errors, spec.template, 'spec.template');
    const restartPolicy = spec.template.spec?.restartPolicy;
    if (!RESTART_POLICIES.includes(restartPolicy)) errors.required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"');
    else if (isSet(spec.backoffLimitPerIndex) && restartPolicy !== 'Never') {
      errors.invalid('spec.template.spec.restartPolicy', restartPolicy, 'must be Never when backoffLimitPerIndex is specified');
    }
  }
  errors.throwIfAny('Job', 'batch', name);
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
      backoffLimit: isSet(spec.backoffLimitPerIndex) ? MAX_INT32 : 6,
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

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
