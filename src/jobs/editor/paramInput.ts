import type { ParamValue } from '../jobConfig.ts';

/** A param's value as an input box shows it: strings as they are, anything else as JSON (`0.01`, `true`, `[1,2]`). */
export function formatParamInput(value: ParamValue): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** What the user typed: JSON when it is JSON (`0.01` stays a number), else the trimmed text as a string. */
export function parseParamInput(text: string): ParamValue {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed) as ParamValue;
  } catch {
    return trimmed;
  }
}

/** A sweep's values as a comma list: `0.001, 0.01, 0.1`. Values that hold a comma are written as a JSON list. */
export function formatSweepValues(values: readonly ParamValue[]): string {
  const parts = values.map(formatParamInput);
  return parts.some((part) => part.includes(',')) ? JSON.stringify(values) : parts.join(', ');
}

/**
 * The values of a comma list (each read like `parseParamInput`), or of a JSON list when the text is one. Throws,
 * with a message for the input box, when no value is left.
 */
export function parseSweepValues(text: string): ParamValue[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.length > 0) return parsed as ParamValue[];
    } catch {
      // Not a JSON list: read as a comma list below.
    }
  }
  const values = trimmed
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(parseParamInput);
  if (values.length === 0) throw new Error('Enter at least one value, e.g. 0.001, 0.01, 0.1');
  return values;
}
