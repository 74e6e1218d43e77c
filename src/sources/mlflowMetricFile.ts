import { parseFloatText, parseIntText } from './numberText.ts';
import type { PointColumns } from './pointColumns.ts';
import type { LineError } from './sourceProblems.ts';

const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CARRIAGE_RETURN;
}

/**
 * Parses an MLflow file-store metric file, read as latin1 (its bytes are ASCII): one `<timestamp ms> <value>
 * [<step>]` line per point (step 0 when absent), as MLflow's FileStore writes and reads it. Lines it cannot read
 * are returned, the rest are pushed.
 */
export function parseMlflowMetricFile(text: string, points: PointColumns): LineError[] {
  const errors: LineError[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    lineNumber++;
    let start = lineStart;
    let end = lineEnd;
    lineStart = lineEnd + 1;
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
    if (start === end) continue;
    const error = parseLine(text, start, end, points);
    if (error) errors.push({ line: lineNumber, message: error });
  }
  return errors;
}

function parseLine(text: string, start: number, end: number, points: PointColumns): string | undefined {
  const firstSpace = indexOfSpace(text, start, end);
  if (firstSpace < 0) return 'expected "<timestamp> <value> [<step>]"';
  const secondSpace = indexOfSpace(text, firstSpace + 1, end);
  if (secondSpace >= 0 && indexOfSpace(text, secondSpace + 1, end) >= 0) return 'expected "<timestamp> <value> [<step>]", found more fields';
  const timestamp = parseIntText(text, start, firstSpace);
  if (timestamp === undefined) return 'the timestamp is not an integer';
  const value = parseFloatText(text, firstSpace + 1, secondSpace < 0 ? end : secondSpace);
  if (value === undefined) return 'the value is not a number';
  const step = secondSpace < 0 ? 0 : parseIntText(text, secondSpace + 1, end);
  if (step === undefined) return 'the step is not an integer';
  points.push(step, value, timestamp);
  return undefined;
}

function indexOfSpace(text: string, from: number, end: number): number {
  for (let position = from; position < end; position++) if (text.charCodeAt(position) === SPACE) return position;
  return -1;
}
