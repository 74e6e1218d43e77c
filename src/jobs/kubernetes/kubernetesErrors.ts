// What went wrong talking to a cluster, in one sentence a user can act on. client-node throws an ApiException whose
// body is the raw text of a v1 Status (or nothing for 401), a TypeError "fetch failed" whose cause holds the socket
// error, or the spawn error of a missing exec credential plugin. Recognized by shape, so this module loads no client.
import type { KubernetesConnection } from './kubernetesRun.ts';

type ConnectionNames = Pick<KubernetesConnection, 'context' | 'server'>;

interface Status {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The singular names of the kinds a Status names in details.kind ("jobs" for a conflict, "Job" when invalid). */
const KIND_NAMES: Record<string, string> = { jobs: 'Job', configmaps: 'ConfigMap', pods: 'Pod', events: 'Event' };

export function describeKubernetesError(error: unknown, connection: ConnectionNames): string {
  const context = `context "${connection.context}"`;
  if (isApiException(error)) return describeApiException(error.code, parseStatus(error.body), context);
  const spawnError = findError(error, (candidate) => candidate.code === 'ENOENT' && typeof candidate.syscall === 'string' && candidate.syscall.startsWith('spawn'));
  if (spawnError) {
    const plugin = typeof spawnError.path === 'string' ? spawnError.path : String(spawnError.syscall).replace(/^spawn /, '');
    return `the credential plugin "${plugin}" of ${context} was not found: it must be on the PATH of this process (install it, or start the editor from a shell that has it)`;
  }
  const networkError = findError(error, (candidate) => typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code));
  if (networkError) return `cannot reach the cluster of ${context} at ${connection.server}: ${networkError.message}`;
  const timeout = findError(error, (candidate) => candidate.name === 'TimeoutError');
  if (timeout) return `the cluster of ${context} at ${connection.server} did not answer in time: ${timeout.message}`;
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? 'unknown cause');
    return `cannot reach the cluster of ${context} at ${connection.server}: ${cause}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The error as one readable line (describeKubernetesError), the original kept as its `cause`. */
export function readableKubernetesError(error: unknown, connection: ConnectionNames): Error {
  return new Error(describeKubernetesError(error, connection), { cause: error });
}

function describeApiException(code: number, status: Status | undefined, context: string): string {
  const message = status?.message;
  if (code === 401) return `the credentials of ${context} were rejected (expired token?): run your cluster login again`;
  if (code === 403) return `forbidden: ${message ?? 'the cluster refused the request'} (${context})`;
  if (code === 404 && status?.details?.kind === 'namespaces') {
    return `namespace "${status.details.name ?? '?'}" does not exist on ${context}: create it or choose another namespace`;
  }
  if (!status || !message) return `the cluster of ${context} answered HTTP ${code}`;
  if (code === 404) return `${message} on ${context}`;
  const reason = status.reason ? ` ${status.reason}` : '';
  if (code >= 500) return `the cluster of ${context} failed (${code}${reason}): ${message}`;
  const kind = status.details?.kind;
  const what = kind ? `the ${KIND_NAMES[kind] ?? kind}` : 'the request';
  return `the cluster refused ${what} (${code}${reason}): ${message}`;
}

/** A 404 from the API server: the object (or its namespace) does not exist. */
export function isNotFound(error: unknown): boolean {
  return isApiException(error) && error.code === 404;
}

interface ApiExceptionShape {
  code: number;
  body: unknown;
  headers: unknown;
}

function isApiException(error: unknown): error is ApiExceptionShape {
  return error instanceof Error && typeof (error as Partial<ApiExceptionShape>).code === 'number' && 'body' in error && 'headers' in error;
}

function parseStatus(body: unknown): Status | undefined {
  if (body && typeof body === 'object') return body as Status;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Status) : undefined;
  } catch {
    return body.trim() ? { message: body.trim() } : undefined;
  }
}

type ErrorWithCode = Error & { code?: unknown; syscall?: unknown; path?: unknown };

/** The first error in the chain of causes (and of an AggregateError's errors) that matches. */
function findError(error: unknown, matches: (candidate: ErrorWithCode) => boolean): ErrorWithCode | undefined {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 20; seen++) {
    const candidate = queue.shift();
    if (!(candidate instanceof Error)) continue;
    if (matches(candidate)) return candidate;
    queue.push(candidate.cause);
    if (candidate instanceof AggregateError) queue.push(...candidate.errors);
  }
  return undefined;
}
