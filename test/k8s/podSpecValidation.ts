// What the API server checks in a pod template before it accepts a workload: containers, resources, volumes and
// their mounts, tolerations, node selectors and pull secrets. A subset of ValidatePodSpec, worded as it words it.
import { checkDnsLabel, checkDnsSubdomain, checkLabels, checkQuantity, type FieldErrors } from './fieldErrors.ts';

const VOLUME_SOURCES = [
  'emptyDir', 'configMap', 'secret', 'persistentVolumeClaim', 'hostPath', 'nfs', 'projected', 'downwardAPI', 'csi', 'ephemeral',
  'image', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'fc', 'flexVolume',
  'flocker', 'gitRepo', 'glusterfs', 'iscsi', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO',
  'storageos', 'vsphereVolume',
];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const STORAGE_MEDIA = ['', 'Memory', 'HugePages'];
/** Resources in a domain other than kubernetes.io are extended resources (nvidia.com/gpu): integers, no overcommit. */
const isExtendedResource = (name: string) => name.includes('/') && !name.includes('kubernetes.io/');

export function validatePodTemplateSpec(errors: FieldErrors, template: any, field: string): void {
  checkLabels(errors, `${field}.metadata.labels`, template?.metadata?.labels);
  const spec = template?.spec;
  const specField = `${field}.spec`;
  const volumeNames = validateVolumes(errors, spec?.volumes, `${specField}.volumes`);
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.required(`${specField}.containers`);
  } else {
    const seen = new Set<string>();
    containers.forEach((container: any, index: number) => {
      const containerField = `${specField}.containers[${index}]`;
      checkDnsLabel(errors, `${containerField}.name`, container?.name);
      if (seen.has(container?.name)) errors.duplicate(`${containerField}.name`, container.name);
      seen.add(container?.name);
      validateContainer(errors, container, containerField, volumeNames);
    });
  }
  validateTolerations(errors, spec?.tolerations, `${specField}.tolerations`);
  checkLabels(errors, `${specField}.nodeSelector`, spec?.nodeSelector);
  if (spec?.serviceAccountName !== undefined) checkDnsSubdomain(errors, `${specField}.serviceAccountName`, spec.serviceAccountName);
  (spec?.imagePullSecrets ?? []).forEach((secret: any, index: number) => {
    if (!secret?.name) errors.required(`${specField}.imagePullSecrets[${index}].name`);
  });
}

function validateContainer(errors: FieldErrors, container: any, field: string, volumeNames: Set<string>): void {
  if (typeof container?.image !== 'string' || container.image.trim() === '') errors.required(`${field}.image`);
  for (const [index, variable] of (container?.env ?? []).entries()) {
    const name = variable?.name;
    if (typeof name !== 'string' || name === '') errors.required(`${field}.env[${index}].name`);
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name)) errors.invalid(`${field}.env[${index}].name`, name, "a valid environment variable name must consist only of printable ASCII characters other than '='");
  }
  validateResources(errors, container?.resources, `${field}.resources`);
  const mountPaths = new Set<string>();
  for (const [index, mount] of (container?.volumeMounts ?? []).entries()) {
    const mountField = `${field}.volumeMounts[${index}]`;
    if (!mount?.name) errors.required(`${mountField}.name`);
    else if (!volumeNames.has(mount.name)) errors.notFound(`${mountField}.name`, mount.name);
    if (!mount?.mountPath) errors.required(`${mountField}.mountPath`);
    else if (mountPaths.has(mount.mountPath)) errors.invalid(`${mountField}.mountPath`, mount.mountPath, 'must be unique');
    mountPaths.add(mount?.mountPath);
  }
}

function validateResources(errors: FieldErrors, resources: any, field: string): void {
  const limits: Record<string, unknown> = resources?.limits ?? {};
  const requests: Record<string, unknown> = resources?.requests ?? {};
  const limitValues = new Map<string, number | undefined>();
  for (const [name, value] of Object.entries(limits)) {
    const quantity = checkQuantity(errors, `${field}.limits[${name}]`, value);
    limitValues.set(name, quantity);
    if (isExtendedResource(name) && quantity !== undefined && !Number.isInteger(quantity)) errors.invalid(`${field}.limits[${name}]`, value, 'must be an integer');
  }
  for (const [name, value] of Object.entries(requests)) {
    const quantity = checkQuantity(errors, `${field}.requests[${name}]`, value);
    const limit = limitValues.get(name);
    if (quantity === undefined) continue;
    if (isExtendedResource(name)) {
      if (!Number.isInteger(quantity)) errors.invalid(`${field}.requests[${name}]`, value, 'must be an integer');
      else if (limit !== undefined && limit !== quantity) errors.invalid(`${field}.requests[${name}]`, value, `must be equal to ${name} limit of ${String(limits[name])}`);
      else if (limit === undefined) errors.forbidden(`${field}.limits`, `Limit must be set for non overcommitable resources`);
    } else if (limit !== undefined && quantity > limit) {
      errors.invalid(`${field}.requests[${name}]`, value, `must be less than or equal to ${name} limit of ${String(limits[name])}`);
    }
  }
}

function validateVolumes(errors: FieldErrors, volumes: unknown, field: string): Set<string> {
  const names = new Set<string>();
  if (volumes === undefined || volumes === null) return names;
  if (!Array.isArray(volumes)) {
    errors.invalid(field, volumes, 'must be a list of volumes');
    return names;
  }
  volumes.forEach((volume: any, index: number) => {
    const volumeField = `${field}[${index}]`;
    checkDnsLabel(errors, `${volumeField}.name`, volume?.name);
    if (names.has(volume?.name)) errors.duplicate(`${volumeField}.name`, volume.name);
    names.add(volume?.name);
    const sources = Object.keys(volume ?? {}).filter((key) => VOLUME_SOURCES.includes(key) && volume[key] !== null && volume[key] !== undefined);
    if (sources.length === 0) errors.required(volumeField, 'must specify a volume type');
    if (sources.length > 1) errors.forbidden(`${volumeField}.${sources[1]}`, 'may not specify more than 1 volume type');
    if (volume?.emptyDir) {
      const { medium, sizeLimit } = volume.emptyDir;
      if (medium !== undefined && !STORAGE_MEDIA.includes(medium)) errors.notSupported(`${volumeField}.emptyDir.medium`, medium, STORAGE_MEDIA.slice(1));
      if (sizeLimit !== undefined) checkQuantity(errors, `${volumeField}.emptyDir.sizeLimit`, sizeLimit);
    }
    if (volume?.configMap) {
      if (!volume.configMap.name) errors.required(`${volumeField}.configMap.name`);
      (volume.configMap.items ?? []).forEach((item: any, at: number) => {
        const itemField = `${volumeField}.configMap.items[${at}]`;
        if (!item?.key) errors.required(`${itemField}.key`);
        const itemPath: unknown = item?.path;
        if (typeof itemPath !== 'string' || itemPath === '') errors.required(`${itemField}.path`);
        else if (itemPath.startsWith('/') || itemPath.split('/').includes('..')) errors.invalid(`${itemField}.path`, itemPath, "must be a relative path that does not contain '..'");
        if (item?.mode !== undefined && (!Number.isInteger(item.mode) || item.mode < 0 || item.mode > 0o777)) errors.invalid(`${itemField}.mode`, item.mode, 'must be a number between 0 and 0777 (octal), both inclusive');
      });
    }
  });
  return names;
}

function validateTolerations(errors: FieldErrors, tolerations: unknown, field: string): void {
  if (tolerations === undefined || tolerations === null) return;
  if (!Array.isArray(tolerations)) return errors.invalid(field, tolerations, 'must be a list of tolerations');
  tolerations.forEach((toleration: any, index: number) => {
    const tolerationField = `${field}[${index}]`;
    const operator = toleration?.operator;
    if (operator !== undefined && operator !== '' && !TOLERATION_OPERATORS.includes(operator)) errors.notSupported(`${tolerationField}.operator`, operator, TOLERATION_OPERATORS);
    if (operator === 'Exists' && toleration.value) errors.invalid(`${tolerationField}.operator`, toleration.value, 'value must be empty when `operator` is \'Exists\'');
    if ((operator === undefined || operator === '' || operator === 'Equal') && !toleration?.key) errors.invalid(`${tolerationField}.operator`, operator ?? '', "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
    const effect = toleration?.effect;
    if (effect !== undefined && effect !== '' && !TAINT_EFFECTS.includes(effect)) errors.notSupported(`${tolerationField}.effect`, effect, TAINT_EFFECTS);
  });
}
