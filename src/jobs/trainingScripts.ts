import path from 'node:path';
import { formatMetricValue } from '../platform/format.ts';
import { formatRelativeTime } from '../platform/time.ts';
import { keyMetricOf } from '../runs/runQuery.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import type { JobDefinition } from './jobConfig.ts';
import { expandSweep } from './jobParams.ts';

/** What the editor offers lenses on: a file some job runs, or a Python script that reports to MLTrail. */
export interface TrainingScript {
  /** The jobs that run this file, in mltrail.json order; empty for a script that no job declares. */
  jobs: JobDefinition[];
  /** The 0-based line for the lenses: the `if __name__ == "__main__":` line, else the first line. */
  line: number;
}

/** A workspace file: `path` is relative to `folder` (the folder of mltrail.json), with either separator. */
export interface WorkspaceFile {
  folder: string;
  path: string;
}

/** What one pass over a Python source finds. */
export interface PythonSourceScan {
  /** The 0-based line of the first `if __name__ == "__main__":`. */
  mainLine: number | undefined;
  /** It writes protocol records (a `"mltrail"` key in a dict literal, or a protocol line printed) or imports `mltrail_log`. */
  reportsToMLTrail: boolean;
}

export function isPythonPath(file: string): boolean {
  return file.endsWith('.py') || file.endsWith('.pyw');
}

/** Whether `file` is a training script, and of which jobs; `text` is scanned only when the file is Python. */
export function detectTrainingScript(file: WorkspaceFile, text: string, jobs: readonly JobDefinition[]): TrainingScript | undefined {
  return trainingScriptOf(file, jobs, isPythonPath(file.path) ? scanPythonSource(text) : undefined);
}

/** As `detectTrainingScript`, with the source already scanned (`scan` undefined: not Python). */
export function trainingScriptOf(file: WorkspaceFile, jobs: readonly JobDefinition[], scan: PythonSourceScan | undefined): TrainingScript | undefined {
  const declaredBy = jobsRunning(file, jobs);
  if (declaredBy.length > 0) return { jobs: declaredBy, line: scan?.mainLine ?? 0 };
  if (scan?.mainLine !== undefined && scan.reportsToMLTrail) return { jobs: [], line: scan.mainLine };
  return undefined;
}

/** The jobs whose `script`, or an argument of whose `command`, names the file. */
function jobsRunning(file: WorkspaceFile, jobs: readonly JobDefinition[]): JobDefinition[] {
  const target = workspacePath(file.path, file.folder);
  if (target === undefined) return [];
  const names = (value: string) => workspacePath(value, file.folder) === target;
  return jobs.filter((job) => (job.script !== undefined && names(job.script)) || job.command.some(names));
}

/**
 * A path as `a/b/c.py` relative to `folder` (separators unified, `./` and `..` resolved); undefined when it leads
 * outside the folder.
 */
export function workspacePath(value: string, folder: string): string | undefined {
  const slashed = value.replaceAll('\\', '/');
  const absolute = path.isAbsolute(value) || slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed);
  const relative = absolute ? path.relative(folder, value).replaceAll('\\', '/') : path.posix.normalize(slashed);
  if (relative === '' || relative === '.' || relative === '..' || relative.startsWith('../') || path.isAbsolute(relative)) return undefined;
  return relative;
}

/**
 * A job's runs (its `job` tag; ad-hoc script runs, tagged `script` too, are not a declared job's whatever their
 * name), or a script's (its path among the command's arguments), newest first.
 */
export function runsOfTrainingScript(runs: readonly RunSummary[], target: { job: string } | { script: WorkspaceFile }): RunSummary[] {
  let belongs: (run: RunSummary) => boolean;
  if ('job' in target) {
    belongs = (run) => run.tags.job === target.job && run.tags.script === undefined;
  } else {
    const { folder } = target.script;
    const script = workspacePath(target.script.path, folder);
    belongs = (run) => script !== undefined && (run.command ?? []).some((argument) => workspacePath(argument, folder) === script);
  }
  return runs.filter(belongs).sort((a, b) => (b.startTime ?? -Infinity) - (a.startTime ?? -Infinity));
}

/** "Last run: loss=0.41 · 5m ago": the key metric when the run has it, else its status; then when it ended (or started). */
export function lastRunTitle(run: RunSummary, keyMetric: string | undefined, now: number): string {
  const key = keyMetricOf(run, keyMetric);
  const outcome = key ? `${key.name}=${formatMetricValue(key.summary.last)}` : run.status;
  const time = run.endTime ?? run.startTime;
  return time === undefined ? `Last run: ${outcome}` : `Last run: ${outcome} · ${formatRelativeTime(time, now)}`;
}

/** "Run locally", or "Run locally (6 runs)" for a job whose sweep has 6 points. */
export function localRunTitle(job: JobDefinition): string {
  const points = expandSweep(job.sweep).length;
  return points > 1 ? `Run locally (${points} runs)` : 'Run locally';
}

/**
 * "Run on gpu-cluster (2× GPU, 6 runs)": the job's own context, else the chosen one, else the kubeconfig's current
 * one when known, else "Kubernetes"; no GPU part without GPUs, no count without a sweep.
 */
export function kubernetesRunTitle(job: JobDefinition, chosenContext: string | undefined, currentContext?: string): string {
  const context = nonEmpty(job.kubernetes?.context) ?? nonEmpty(chosenContext) ?? nonEmpty(currentContext) ?? 'Kubernetes';
  const gpus = gpuCount(job.resources?.gpus);
  const points = expandSweep(job.sweep).length;
  const details = [gpus > 0 ? `${gpus}× GPU` : '', points > 1 ? `${points} runs` : ''].filter(Boolean);
  return details.length > 0 ? `Run on ${context} (${details.join(', ')})` : `Run on ${context}`;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

function gpuCount(value: unknown): number {
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 0;
}

// The scanner below walks the source once, char by char, knowing comments, strings and brackets well enough to tell
// code from text: no regular expressions, so a 1 MB file takes a few milliseconds whatever it holds.

const PROTOCOL_KEY = 'mltrail';
const HELPER_MODULE = 'mltrail_log';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;
const FORM_FEED = 12;
const HASH = 35;
const BACKSLASH = 92;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const COMMA = 44;
const DOT = 46;
const COLON = 58;
const SEMICOLON = 59;
const EQUALS = 61;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Brackets on the stack: a call of `print(` or `.write(` is told apart, since a protocol line printed there counts. */
const PAREN = 0;
const OUTPUT_CALL = 1;
const SQUARE = 2;
const BRACE = 3;

function isIdentifierStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 128;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= 48 && code <= 57);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isQuote(code: number): boolean {
  return code === DOUBLE_QUOTE || code === SINGLE_QUOTE;
}

function isInlineSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === FORM_FEED || code === CARRIAGE_RETURN;
}

/** r, b, u, f, t and their pairs (rb, fr, ...), any case: letters that may lead a string literal. */
function isStringPrefix(text: string, start: number, end: number): boolean {
  if (end - start > 2) return false;
  for (let index = start; index < end; index++) {
    const letter = text.charCodeAt(index) | 0x20;
    if (letter !== 114 && letter !== 98 && letter !== 117 && letter !== 102 && letter !== 116) return false;
  }
  return true;
}

function isWordAt(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && text.startsWith(word, start);
}

function skipInlineSpace(text: string, from: number): number {
  let position = from;
  while (position < text.length && isInlineSpace(text.charCodeAt(position))) position++;
  return position;
}

/** Past spaces, tabs and line ends. */
function skipSpace(text: string, from: number): number {
  let position = from;
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (!isInlineSpace(code) && code !== NEWLINE) break;
    position++;
  }
  return position;
}

/** Where a word occurs, asked for at increasing positions: each search goes on from the last answer, so all take linear time. */
class Occurrences {
  private readonly text: string;
  private readonly word: string;
  private found: number;

  constructor(text: string, word: string) {
    this.text = text;
    this.word = word;
    this.found = text.indexOf(word);
  }

  /** The first occurrence at or after `from`, or -1. */
  from(from: number): number {
    if (this.found !== -1 && this.found < from) this.found = this.text.indexOf(this.word, from);
    return this.found;
  }
}

/** After `if` at the start of a statement: `__name__ == "__main__"` either way round, parenthesised or not, then `:`. */
function isMainGuard(text: string, afterIf: number): boolean {
  let position = skipInlineSpace(text, afterIf);
  let parens = 0;
  while (text.charCodeAt(position) === OPEN_PAREN) {
    parens++;
    position = skipInlineSpace(text, position + 1);
  }
  const nameFirst = text.startsWith('__name__', position);
  position = guardOperandEnd(text, position, nameFirst);
  if (position < 0) return false;
  position = skipInlineSpace(text, position);
  if (text.charCodeAt(position) !== EQUALS || text.charCodeAt(position + 1) !== EQUALS) return false;
  position = guardOperandEnd(text, skipInlineSpace(text, position + 2), !nameFirst);
  if (position < 0) return false;
  position = skipInlineSpace(text, position);
  for (; parens > 0; parens--) {
    if (text.charCodeAt(position) !== CLOSE_PAREN) return false;
    position = skipInlineSpace(text, position + 1);
  }
  return text.charCodeAt(position) === COLON;
}

/** The end of `__name__` or of `"__main__"` (either quote) at `start`, or -1. */
function guardOperandEnd(text: string, start: number, name: boolean): number {
  if (name) return text.startsWith('__name__', start) && !isIdentifierPart(text.charCodeAt(start + 8)) ? start + 8 : -1;
  const quote = text.charCodeAt(start);
  return isQuote(quote) && text.startsWith('__main__', start + 1) && text.charCodeAt(start + 9) === quote ? start + 10 : -1;
}

/** The index after the string literal whose opening quote is at `quoteAt` (at the line end when unterminated). */
function stringEnd(text: string, quoteAt: number, triple: boolean): number {
  const quote = text.charCodeAt(quoteAt);
  let position = quoteAt + (triple ? 3 : 1);
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (code === BACKSLASH) {
      // An escaped character, or a line continuation (LF or CRLF).
      position += text.charCodeAt(position + 1) === CARRIAGE_RETURN && text.charCodeAt(position + 2) === NEWLINE ? 3 : 2;
    } else if (code === quote) {
      if (!triple) return position + 1;
      if (text.charCodeAt(position + 1) === quote && text.charCodeAt(position + 2) === quote) return position + 3;
      position++;
    } else if (code === NEWLINE && !triple) {
      return position; // Unterminated: Python would refuse it; the scan goes on with the next line.
    } else {
      position++;
    }
  }
  return text.length;
}

/** A protocol line in a string's text: `"mltrail"` (its quotes maybe escaped) then `:`, as in `'{"mltrail": ...}'`. */
function holdsProtocolLine(text: string, mentions: Occurrences, contentStart: number, contentEnd: number): boolean {
  for (let mention = mentions.from(contentStart); mention !== -1 && mention < contentEnd; mention = mentions.from(mention + 1)) {
    if (text.charCodeAt(mention - 1) !== DOUBLE_QUOTE) continue;
    let after = mention + PROTOCOL_KEY.length;
    if (text.charCodeAt(after) === BACKSLASH) after++;
    if (text.charCodeAt(after) === DOUBLE_QUOTE && text.charCodeAt(skipInlineSpace(text, after + 1)) === COLON) return true;
  }
  return false;
}

export function scanPythonSource(text: string): PythonSourceScan {
  const mayReport = text.includes(PROTOCOL_KEY);
  const mayHaveMain = text.includes('__main__');
  let mainLine: number | undefined;
  let reports = false;
  if (!mayReport && !mayHaveMain) return { mainLine, reportsToMLTrail: reports };

  const length = text.length;
  const mentions = new Occurrences(text, PROTOCOL_KEY);
  const newlines = new Occurrences(text, '\n');
  const brackets: number[] = [];
  let outputCalls = 0;
  let index = 0;
  let line = 0;
  let atStatementStart = true;
  let inImport = false;
  let afterOutputName = false;
  /** The last character of code before the current token; a quote after a string. */
  let previous = NEWLINE;

  // Each pass reads one token; the scan stops as soon as nothing more can be found.
  while (index < length && (mainLine === undefined && mayHaveMain || !reports && mayReport)) {
    const code = text.charCodeAt(index);
    if (code === NEWLINE) {
      line++;
      index++;
      if (brackets.length === 0) {
        atStatementStart = true;
        inImport = false;
      }
      continue;
    }
    if (isInlineSpace(code)) {
      index = skipInlineSpace(text, index + 1);
      continue;
    }
    if (code === HASH) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? length : end;
      continue;
    }
    if (code === BACKSLASH) {
      // A line continuation: the statement goes on.
      index = skipInlineSpace(text, index + 1);
      if (text.charCodeAt(index) === NEWLINE) {
        line++;
        index++;
      }
      continue;
    }
    if (isQuote(code)) {
      const triple = text.charCodeAt(index + 1) === code && text.charCodeAt(index + 2) === code;
      const quoteLength = triple ? 3 : 1;
      const end = stringEnd(text, index, triple);
      const contentStart = index + quoteLength;
      const closed = end - quoteLength >= contentStart && text.charCodeAt(end - 1) === code;
      const contentEnd = closed ? end - quoteLength : end;
      for (let newline = newlines.from(index); newline !== -1 && newline < end; newline = newlines.from(newline + 1)) line++;
      if (mayReport && !reports) {
        // A dict key: in braces, after `{` or `,`, before `:`.
        const isProtocolKey =
          isWordAt(text, contentStart, contentEnd, PROTOCOL_KEY) &&
          brackets.at(-1) === BRACE &&
          (previous === OPEN_BRACE || previous === COMMA) &&
          text.charCodeAt(skipSpace(text, end)) === COLON;
        reports = isProtocolKey || (outputCalls > 0 && holdsProtocolLine(text, mentions, contentStart, contentEnd));
      }
      index = end;
      previous = DOUBLE_QUOTE;
      atStatementStart = false;
      afterOutputName = false;
      continue;
    }
    if (isIdentifierStart(code)) {
      const start = index;
      while (index < length && isIdentifierPart(text.charCodeAt(index))) index++;
      // A string's prefix: the next pass reads the string, with what came before the prefix as its `previous`.
      if (isQuote(text.charCodeAt(index)) && isStringPrefix(text, start, index)) continue;
      if (atStatementStart) {
        if (mainLine === undefined && isWordAt(text, start, index, 'if') && isMainGuard(text, index)) mainLine = line;
        else if (isWordAt(text, start, index, 'import') || isWordAt(text, start, index, 'from')) inImport = true;
      } else if (inImport && isWordAt(text, start, index, HELPER_MODULE)) {
        reports = true;
      }
      afterOutputName = isWordAt(text, start, index, 'print') || isWordAt(text, start, index, 'write');
      previous = text.charCodeAt(index - 1);
      atStatementStart = false;
      continue;
    }
    if (isDigit(code)) {
      while (index < length && (isIdentifierPart(text.charCodeAt(index)) || text.charCodeAt(index) === DOT)) index++;
      previous = text.charCodeAt(index - 1);
      atStatementStart = false;
      afterOutputName = false;
      continue;
    }
    switch (code) {
      case OPEN_PAREN:
        brackets.push(afterOutputName ? OUTPUT_CALL : PAREN);
        if (afterOutputName) outputCalls++;
        break;
      case OPEN_BRACKET:
        brackets.push(SQUARE);
        break;
      case OPEN_BRACE:
        brackets.push(BRACE);
        break;
      case CLOSE_PAREN:
      case CLOSE_BRACKET:
      case CLOSE_BRACE:
        if (brackets.pop() === OUTPUT_CALL) outputCalls--;
        break;
    }
    // A `;` outside brackets starts another statement.
    atStatementStart = code === SEMICOLON && brackets.length === 0;
    if (atStatementStart) inImport = false;
    previous = code;
    afterOutputName = false;
    index++;
  }
  return { mainLine, reportsToMLTrail: reports };
}
