// JSON has no NaN or Infinity. The store format, the CLI's --json and the webview messages all carry them as
// these three strings. Shared with the webviews: no Node or DOM APIs here.

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeJsonNumber(value: number): JsonNumber {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

export function decodeJsonNumber(value: JsonNumber): number {
  return typeof value === 'number' ? value : Number(value);
}
