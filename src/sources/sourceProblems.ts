import type { SourceProblem } from './externalSource.ts';

/** Something wrong at one line of a file. */
export interface LineError {
  line: number;
  message: string;
}

/** Past this many, the problems of one file are counted, not listed. */
const MAX_PROBLEMS_PER_FILE = 10;

/** Adds the line problems of one file, the first few by line and the rest as one count. */
export function addLineProblems(problems: SourceProblem[], file: string, errors: readonly LineError[]): void {
  for (const error of errors.slice(0, MAX_PROBLEMS_PER_FILE)) problems.push({ path: file, line: error.line, message: error.message });
  if (errors.length > MAX_PROBLEMS_PER_FILE) problems.push({ path: file, message: `${errors.length - MAX_PROBLEMS_PER_FILE} more lines like these were skipped` });
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
