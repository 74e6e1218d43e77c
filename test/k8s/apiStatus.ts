// Kubernetes `Status` failures: every error the fake answers is one of these, sent as application/json.

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): StatusBody {
    const status: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const notFound = (qualifiedResource: string, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedResource} "${name}" not found`, { name, kind: qualifiedResource.split('.')[0] });
export const alreadyExists = (qualifiedResource: string, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`, { name, kind: qualifiedResource.split('.')[0] });
export const expired = (requested: string, oldest: number) =>
  new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
