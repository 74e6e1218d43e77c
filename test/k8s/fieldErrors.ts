// Field validation as the API server words it: errors are collected, then answered as one 422 Invalid Status whose
// message lists them ("Job.batch "x" is invalid: [a: Required value, b: Invalid value: ...]") and whose causes carry
// one entry per field.
import { ApiError } from './apiStatus.ts';

interface FieldError {
  field: string;
  reason: string;
  detail: string;
}

export class FieldErrors {
  readonly list: FieldError[] = [];

  required(field: string, detail?: string): void {
    this.list.push({ field, reason: 'FieldValueRequired', detail: detail ? `Required value: ${detail}` : 'Required value' });
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.list.push({ field, reason: 'FieldValueInvalid', detail: `Invalid value: ${formatValue(value)}: ${detail}` });
  }

  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    this.list.push({ field, reason: 'FieldValueNotSupported', detail: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((entry) => `"${entry}"`).join(', ')}` });
  }

  duplicate(field: string, value: unknown): void {
    this.list.push({ field, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${formatValue(value)}` });
  }

  notFound(field: string, value: unknown): void {
    this.list.push({ field, reason: 'FieldValueNotFound', detail: `Not found: ${formatValue(value)}` });
  }

  tooLong(field: string, limit: number): void {
    this.list.push({ field, reason: 'FieldValueTooLong', detail: `Too long: must have at most ${limit} bytes` });
  }

  forbidden(field: string, detail: string): void {
    this.list.push({ field, reason: 'FieldValueForbidden', detail: `Forbidden: ${detail}` });
  }

  /** Throws the 422 for `Kind.group "name"` when any error was collected. */
  throwIfAny(kind: string, group: string, name: string): void {
    if (this.list.length === 0) return;
    const qualified = group ? `${kind}.${group}` : kind;
    const lines = this.list.map((error) => `${error.field}: ${error.detail}`);
    const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
    throw new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
      name,
      group,
      kind,
      causes: this.list.map((error) => ({ reason: error.reason, message: error.detail, field: error.field })),
    });
  }
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function checkDnsLabel(errors: FieldErrors, field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') return errors.required(field);
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    errors.invalid(field, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
}

export function checkDnsSubdomain(errors: FieldErrors, field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') return errors.required(field);
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    errors.invalid(field, value, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
}

/** Label keys (`[prefix/]name`) and values, also used for nodeSelector. */
export function checkLabels(errors: FieldErrors, field: string, labels: unknown): void {
  if (labels === undefined || labels === null) return;
  if (typeof labels !== 'object' || Array.isArray(labels)) return errors.invalid(field, labels, 'must be a map of strings');
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) errors.invalid(field, key, 'prefix part must be a lowercase RFC 1123 subdomain');
    if (name.length > 63 || !LABEL_NAME.test(name)) errors.invalid(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    if (typeof value !== 'string') errors.invalid(`${field}[${key}]`, value, 'must be a string');
    else if (value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
      errors.invalid(`${field}[${key}]`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    }
  }
}

export function checkNonNegativeInteger(errors: FieldErrors, field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || (value as number) < 0) errors.invalid(field, value, 'must be greater than or equal to 0');
}

const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const MULTIPLIERS: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a resource quantity ("500m" is 0.5, "1Gi" 2^30), or undefined when it is not one. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const number = Number(text.slice(0, text.length - suffix.length));
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (MULTIPLIERS[suffix] ?? Number.NaN);
}

export function checkQuantity(errors: FieldErrors, field: string, value: unknown): number | undefined {
  const quantity = parseQuantity(value);
  if (quantity === undefined) errors.invalid(field, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  else if (quantity < 0) errors.invalid(field, value, 'must be greater than or equal to 0');
  return quantity;
}
