// What the API server checks in a ConfigMap: its name, key syntax, keys in data and binaryData not shared, base64
// binaryData, the 1 MiB total, and that an immutable ConfigMap's data never changes.
import { checkDnsSubdomain, checkLabels, FieldErrors } from './fieldErrors.ts';
import type { KubeObject } from './objectStore.ts';

/** corev1.MaxSecretSize, which also bounds a ConfigMap's data and binaryData together. */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateConfigMap(configMap: KubeObject): void {
  const errors = new FieldErrors();
  const name = configMap.metadata?.name ?? '';
  if (!name) errors.required('metadata.name', 'name or generateName is required');
  else checkDnsSubdomain(errors, 'metadata.name', name);
  checkLabels(errors, 'metadata.labels', configMap.metadata?.labels);
  let totalBytes = 0;
  const keys = new Set<string>();
  for (const field of ['data', 'binaryData'] as const) {
    for (const [key, value] of Object.entries<unknown>(configMap[field] ?? {})) {
      if (!CONFIG_KEY.test(key) || key.length > 253 || key === '.' || key.startsWith('..')) {
        errors.invalid(`${field}[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
      }
      if (keys.has(key)) errors.invalid(`${field}[${key}]`, key, 'duplicate of key present in data');
      keys.add(key);
      if (typeof value !== 'string') {
        errors.invalid(`${field}[${key}]`, value, 'must be a string');
      } else if (field === 'binaryData') {
        if (!BASE64.test(value) || value.length % 4 !== 0) errors.invalid(`${field}[${key}]`, '<binary>', 'illegal base64 data');
        else totalBytes += Buffer.from(value, 'base64').length;
      } else {
        totalBytes += Buffer.byteLength(value, 'utf8');
      }
    }
  }
  if (totalBytes > MAX_CONFIG_MAP_BYTES) errors.tooLong('[]', MAX_CONFIG_MAP_BYTES);
  errors.throwIfAny('ConfigMap', '', name);
}

export function validateConfigMapUpdate(current: KubeObject, updated: KubeObject): void {
  validateConfigMap(updated);
  if (current.immutable !== true) return;
  const errors = new FieldErrors();
  if (updated.immutable !== true) errors.forbidden('immutable', 'field is immutable when `immutable` is set');
  for (const field of ['data', 'binaryData'] as const) {
    if (JSON.stringify(current[field] ?? {}) !== JSON.stringify(updated[field] ?? {})) errors.forbidden(field, 'field is immutable when `immutable` is set');
  }
  errors.throwIfAny('ConfigMap', '', current.metadata.name);
}
