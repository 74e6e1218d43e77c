import { NumberScanner } from './numberText.ts';
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
  const scanner = new NumberScanner();
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
    scanner.reset(text, start, end);
    const error = parseLine(scanner, points);
    if (error) errors.push({ line: lineNumber, message: error });
  }
  return errors;
}

const EXPECTED_FIELDS = 'expected "<timestamp> <value> [<step>]"';

function parseLine(scanner: NumberScanner, points: PointColumns): string | undefined {
  const timestamp = scanner.int();
  if (timestamp === undefined || !(scanner.skip(SPACE) || scanner.atEnd())) return 'the timestamp is not an integer';
  if (scanner.atEnd()) return EXPECTED_FIELDS;
  const value = scanner.float(SPACE);
  if (value === undefined) return 'the value is not a number';
  let step = 0;
  if (scanner.skip(SPACE)) {
    const parsed = scanner.int();
    if (parsed === undefined || !(scanner.atEnd() || scanner.skip(SPACE))) return 'the step is not an integer';
    if (!scanner.atEnd()) return `${EXPECTED_FIELDS}, found more fields`;
    step = parsed;
  }
  points.push(step, value, timestamp);
  return undefined;
}
