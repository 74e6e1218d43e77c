import { parseFloatBytes, parseIntBytes } from './numberText.ts';
import type { PointColumns } from './pointColumns.ts';
import type { LineError } from './sourceProblems.ts';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CARRIAGE_RETURN;
}

/**
 * Parses an MLflow file-store metric file: one `<timestamp ms> <value> [<step>]` line per point (step 0 when
 * absent), as MLflow's FileStore writes and reads it. Lines it cannot read are returned, the rest are pushed.
 */
export function parseMlflowMetricFile(bytes: Uint8Array, points: PointColumns): LineError[] {
  const errors: LineError[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart < bytes.length) {
    let lineEnd = bytes.indexOf(NEWLINE, lineStart);
    if (lineEnd < 0) lineEnd = bytes.length;
    lineNumber++;
    let start = lineStart;
    let end = lineEnd;
    lineStart = lineEnd + 1;
    while (start < end && isBlank(bytes[start] as number)) start++;
    while (end > start && isBlank(bytes[end - 1] as number)) end--;
    if (start === end) continue;
    const error = parseLine(bytes, start, end, points);
    if (error) errors.push({ line: lineNumber, message: error });
  }
  return errors;
}

function parseLine(bytes: Uint8Array, start: number, end: number, points: PointColumns): string | undefined {
  const firstSpace = indexOfSpace(bytes, start, end);
  if (firstSpace < 0) return 'expected "<timestamp> <value> [<step>]"';
  const secondSpace = indexOfSpace(bytes, firstSpace + 1, end);
  if (secondSpace >= 0 && indexOfSpace(bytes, secondSpace + 1, end) >= 0) return 'expected "<timestamp> <value> [<step>]", found more fields';
  const timestamp = parseIntBytes(bytes, start, firstSpace);
  if (timestamp === undefined) return 'the timestamp is not an integer';
  const value = parseFloatBytes(bytes, firstSpace + 1, secondSpace < 0 ? end : secondSpace);
  if (value === undefined) return 'the value is not a number';
  const step = secondSpace < 0 ? 0 : parseIntBytes(bytes, secondSpace + 1, end);
  if (step === undefined) return 'the step is not an integer';
  points.push(step, value, timestamp);
  return undefined;
}

function indexOfSpace(bytes: Uint8Array, from: number, end: number): number {
  for (let position = from; position < end; position++) if (bytes[position] === SPACE) return position;
  return -1;
}
