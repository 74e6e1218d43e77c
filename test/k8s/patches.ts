// The two PATCH forms clients send: JSON merge patch (also used here for strategic merge, which only differs for
// lists with merge keys) and RFC 6902 JSON patch.
import { ApiError, badRequest } from './apiStatus.ts';

type Json = any;

export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  return path.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw badRequest('json patch must be an array of operations');
  const document = structuredClone(target);
  for (const { op, path, value } of operations) {
    const segments = pointer(path);
    const last = segments.pop()!;
    let parent = document;
    for (const segment of segments) parent = parent?.[segment];
    if (parent === undefined || parent === null) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: missing path ${path}`);
    if (op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === 'add' || op === 'replace') {
      if (Array.isArray(parent) && op === 'add') parent.splice(last === '-' ? parent.length : Number(last), 0, value);
      else parent[last] = value;
    } else {
      throw badRequest(`unsupported json patch operation ${op}`);
    }
  }
  return document;
}
