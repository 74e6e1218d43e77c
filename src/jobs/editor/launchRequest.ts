import path from 'node:path';
import type { JobBackend } from '../kubernetes/kubernetesRun.ts';

/**
 * The argument of `mltrail.launchJob` (the CodeLens passes one): the folder's URI string, a declared job or a
 * script no job declares (relative to the folder), and where to run it. What is left out is asked for.
 */
export interface LaunchJobRequest {
  folder?: string;
  job?: string;
  script?: string;
  backend?: JobBackend;
  /** The URI string of the editor's document the launch came from: saved first, as the file runs from disk. */
  document?: string;
}

const EXPECTED = 'expected {"folder": "<folder URI>", "job"?: "<job name>", "script"?: "<relative path>", "backend"?: "local" | "kubernetes", "document"?: "<document URI>"}';

/** Throws with what is wrong, in words for a message box. */
export function parseLaunchJobRequest(value: unknown): LaunchJobRequest {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`invalid launch argument ${JSON.stringify(value)}: ${EXPECTED}`);
  const { folder, job, script, backend, document } = value as Record<string, unknown>;
  const request: LaunchJobRequest = {};
  if (folder !== undefined) {
    if (typeof folder !== 'string' || folder.length === 0) throw new Error(`"folder" must be a folder URI string: ${EXPECTED}`);
    request.folder = folder;
  }
  if (job !== undefined) {
    if (typeof job !== 'string' || job.length === 0) throw new Error(`"job" must be a job name: ${EXPECTED}`);
    request.job = job;
  }
  if (script !== undefined) {
    if (typeof script !== 'string' || script.length === 0) throw new Error(`"script" must be a path relative to the folder: ${EXPECTED}`);
    const normalized = path.normalize(script);
    if (path.isAbsolute(script) || normalized === '..' || normalized.startsWith(`..${path.sep}`)) throw new Error(`"script" must be a path inside the folder, not ${script}`);
    request.script = script;
  }
  if (request.job !== undefined && request.script !== undefined) throw new Error('give "job" or "script", not both');
  if (backend !== undefined) {
    if (backend !== 'local' && backend !== 'kubernetes') throw new Error(`"backend" must be "local" or "kubernetes", not ${JSON.stringify(backend)}`);
    request.backend = backend;
  }
  if (document !== undefined) {
    if (typeof document !== 'string' || document.length === 0) throw new Error(`"document" must be a document URI string: ${EXPECTED}`);
    request.document = document;
  }
  if (request.folder === undefined && (request.job !== undefined || request.script !== undefined)) throw new Error(`a job or script needs its "folder": ${EXPECTED}`);
  return request;
}
