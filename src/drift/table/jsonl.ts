import { isUtf8 } from 'node:buffer';
import { type Column, type CsvTable, ProblemList } from './csv.ts';

/** A longer line is skipped (with a problem): parsing it would hold all of it, and more, in memory at once. */
export const MAX_LINE_LENGTH = 16 << 20;

/** Lenient: bytes that are not UTF-8 become U+FFFD instead of throwing. */
const decoder = new TextDecoder('utf-8');

/**
 * JSON Lines into columns: one object per line; a key is a column. Numbers make a numeric column unless a string
 * shows up in it; strings, booleans and nested values (as JSON) are categories; null and absent keys are missing.
 * A line that is not a JSON object is reported and skipped. Never throws on bad input: `problems` says, by line,
 * what was wrong. Given bytes, it also reports the first line holding bytes that are not UTF-8.
 */
export function readJsonl(input: string | Uint8Array, maxProblems = 100): CsvTable {
  const problems = new ProblemList(maxProblems);
  const text = typeof input === 'string' ? input : decodeReportingInvalidUtf8(input, problems);
  const rows: Array<Record<string, unknown>> = [];
  const names: string[] = [];
  const known = new Set<string>();
  let sawContent = false;
  forEachLine(text.replace(/^\uFEFF/, ''), (line, number) => {
    if (line.trim() === '') return;
    sawContent = true;
    const value = parseObject(line, number, problems);
    if (value === undefined) return;
    for (const key of Object.keys(value)) {
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
    }
    rows.push(value);
  });
  if (!sawContent) problems.add(1, 'empty file: no JSON lines');
  else if (rows.length === 0) problems.add(1, 'no data rows: no line holds a JSON object');
  return { columns: names.map((name) => toColumn(name, rows)), rows: rows.length, problems: problems.finish() };
}

/** Calls `handle` with each line (without its line end) and its 1-based number. */
function forEachLine(text: string, handle: (line: string, number: number) => void): void {
  let number = 1;
  for (let start = 0; start < text.length; number++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    handle(text.slice(start, end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end), number);
    start = end + 1;
  }
}

/** The line's object; undefined (with a problem) when the line is too long, not JSON, or JSON but no object. */
function parseObject(line: string, number: number, problems: ProblemList): Record<string, unknown> | undefined {
  if (line.length > MAX_LINE_LENGTH) {
    problems.add(number, `a line of ${line.length} characters is over the ${MAX_LINE_LENGTH}-character limit: skipped`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    problems.add(number, `not valid JSON (${withoutLinePosition((error as Error).message)}): skipped`);
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.add(number, `not a JSON object but ${describe(value)}: skipped`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** V8 says where in the parsed text the error is as "line 1 column N": the line is the file's, not the text's. */
function withoutLinePosition(message: string): string {
  return message.replace(/ in JSON at position \d+ \(line \d+ column (\d+)\)/, ' at column $1');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function decodeReportingInvalidUtf8(bytes: Uint8Array, problems: ProblemList): string {
  if (!isUtf8(bytes)) problems.add(firstLineNotUtf8(bytes), 'this line holds bytes that are not UTF-8 (the first such line): they read as U+FFFD');
  return decoder.decode(bytes);
}

function firstLineNotUtf8(bytes: Uint8Array): number {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
  }
  return line;
}

function toColumn(name: string, rows: Array<Record<string, unknown>>): Column {
  const values = rows.map((row) => (Object.hasOwn(row, name) ? row[name] : undefined));
  const numeric = values.every((value) => value === null || value === undefined || typeof value === 'number');
  if (numeric) {
    const numbers = Float64Array.from(values, (value) => (typeof value === 'number' ? value : Number.NaN));
    return { kind: 'numeric', name, values: numbers, integer: numbers.every((value) => Number.isNaN(value) || Number.isInteger(value)) };
  }
  const dictionary: string[] = [];
  const codes = new Map<string, number>();
  const codeOf = (value: unknown) => {
    if (value === null || value === undefined) return -1;
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    let code = codes.get(key);
    if (code === undefined) {
      code = dictionary.length;
      codes.set(key, code);
      dictionary.push(key);
    }
    return code;
  };
  return { kind: 'categorical', name, codes: Int32Array.from(values, codeOf), dictionary };
}
