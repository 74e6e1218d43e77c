import { put } from '../platform/dictionary.ts';

// The YAML other trackers write for small files: MLflow's meta.yaml (PyYAML safe_dump: flat `key: value`, quoted
// and plain scalars, `tags: []`) and DVCLive's params.yaml (nested mappings and lists of scalars). Supported: block
// mappings and sequences (indented or not under a key), flow `[...]` and `{...}` of scalars, single- and
// double-quoted scalars, plain scalars folded over several lines, comments, YAML 1.2 core scalars (null, booleans,
// integers, floats, .inf, .nan). Not supported, and reported as a problem at the line (the entry is skipped):
// block scalars (| >), anchors, aliases, tags, complex keys, several documents. Never throws.

export interface YamlProblem {
  line: number;
  message: string;
}

export interface YamlResult {
  value: unknown;
  problems: YamlProblem[];
}

interface Line {
  number: number;
  indent: number;
  /** Without indentation, trailing comment and trailing blanks. */
  text: string;
}

class Unsupported extends Error {}

export function parseSimpleYaml(text: string): YamlResult {
  const problems: YamlProblem[] = [];
  const lines = splitLines(text, problems);
  let value: unknown = null;
  try {
    value = new BlockParser(lines, problems).parseDocument();
  } catch (error) {
    // Only what no YAML file holds gets here, such as flow collections nested thousands deep.
    problems.push({ line: 1, message: `cannot read this YAML: ${(error as Error).message}` });
  }
  return { value, problems: problems.sort((a, b) => a.line - b.line) };
}

function splitLines(text: string, problems: YamlProblem[]): Line[] {
  const lines: Line[] = [];
  let documentStarted = false;
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let index = 0; index < raw.length; index++) {
    const line = raw[index] as string;
    const number = index + 1;
    const content = stripComment(line).trimEnd();
    const body = content.trimStart();
    if (body === '' || (body.startsWith('%') && !documentStarted)) continue;
    const indentation = content.slice(0, content.length - body.length);
    if (indentation.includes('\t')) {
      problems.push({ line: number, message: 'a tab in the indentation (YAML indents with spaces); line skipped' });
      continue;
    }
    if (indentation === '' && (body === '---' || body.startsWith('--- ') || body === '...')) {
      if (body === '...' || lines.length > 0) {
        if (body !== '...') problems.push({ line: number, message: 'only the first YAML document is read' });
        break;
      }
      documentStarted = true;
      const inline = body.slice(3).trim();
      if (inline) lines.push({ number, indent: 0, text: inline });
      continue;
    }
    documentStarted = true;
    lines.push({ number, indent: indentation.length, text: body });
  }
  return lines;
}

/** Cuts a `#` comment: at the start of the line, or after a blank, outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === '\\' && quote === '"') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      if (index === 0 || /[\s:[{,-]/.test(line[index - 1] as string)) quote = char;
    } else if (char === '#' && (index === 0 || line[index - 1] === ' ' || line[index - 1] === '\t')) {
      return line.slice(0, index);
    }
  }
  return line;
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** A sentinel for an entry that could not be read: reported, then left out. */
const SKIPPED = Symbol('skipped');

class BlockParser {
  private index = 0;
  private readonly lines: Line[];
  private readonly problems: YamlProblem[];

  constructor(lines: Line[], problems: YamlProblem[]) {
    this.lines = lines;
    this.problems = problems;
  }

  parseDocument(): unknown {
    const first = this.lines[0];
    if (!first) return null;
    const value = this.parseBlock(first.indent);
    for (; this.index < this.lines.length; this.index++) this.report(this.lines[this.index] as Line, 'unexpected indentation; line skipped');
    return value === SKIPPED ? null : value;
  }

  private report(line: Line, message: string): void {
    this.problems.push({ line: line.number, message });
  }

  /** The node whose first line is the current one, at `indent`. */
  private parseBlock(indent: number): unknown {
    const line = this.lines[this.index] as Line;
    if (isSequenceItem(line.text)) return this.parseSequence(indent);
    if (splitKey(line.text)) return this.parseMapping(indent);
    this.index++;
    return this.parseInlineValue(line.text, line, indent - 1);
  }

  private parseMapping(indent: number): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    while (this.index < this.lines.length) {
      const line = this.lines[this.index] as Line;
      if (line.indent < indent) break;
      if (line.indent > indent) {
        this.report(line, 'unexpected indentation; line skipped');
        this.index++;
        continue;
      }
      const entry = isSequenceItem(line.text) ? undefined : splitKey(line.text);
      this.index++;
      if (!entry) {
        this.report(line, 'expected "key: value"; line skipped');
        this.takeDeeper(indent);
        continue;
      }
      const value = this.parseValue(entry.rest, line, indent, true);
      if (value !== SKIPPED) put(mapping, entry.key, value);
    }
    return mapping;
  }

  private parseSequence(indent: number): unknown[] {
    const sequence: unknown[] = [];
    while (this.index < this.lines.length) {
      const line = this.lines[this.index] as Line;
      if (line.indent !== indent || !isSequenceItem(line.text)) break;
      const rest = line.text.slice(1).trimStart();
      if (rest !== '' && (isSequenceItem(rest) || splitKey(rest))) {
        // "- key: value" or "- - item": a nested block that starts on the item's own line, at the column of `rest`.
        const column = indent + line.text.length - rest.length;
        this.lines[this.index] = { number: line.number, indent: column, text: rest };
        sequence.push(this.parseBlock(column));
        continue;
      }
      this.index++;
      const value = this.parseValue(rest, line, indent, false);
      sequence.push(value === SKIPPED ? null : value);
    }
    return sequence;
  }

  /** The value after "key:" or "-" on `line`, which may continue on the more indented lines below. */
  private parseValue(rest: string, line: Line, indent: number, allowIndentlessSequence: boolean): unknown {
    if (rest !== '') return this.parseInlineValue(rest, line, indent);
    const next = this.lines[this.index];
    if (next && next.indent > indent) return this.parseBlock(next.indent);
    if (next && next.indent === indent && allowIndentlessSequence && isSequenceItem(next.text)) return this.parseSequence(indent);
    return null;
  }

  private parseInlineValue(rest: string, line: Line, indent: number): unknown {
    const continuation = this.takeDeeper(indent);
    try {
      if (/^[|>]/.test(rest)) throw new Unsupported('block scalars (| and >) are not supported');
      if (/^[&*!]/.test(rest)) throw new Unsupported('anchors, aliases and tags are not supported');
      if (rest.startsWith('[') || rest.startsWith('{')) return parseFlow([rest, ...continuation].join(' '));
      if (rest.startsWith('"') || rest.startsWith("'")) return parseWholeQuoted(foldQuoted(rest, continuation));
      return resolvePlain([rest, ...continuation].join(' '));
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      this.report(line, `${error.message}; entry skipped`);
      return SKIPPED;
    }
  }

  /** The texts of the lines below the current one that are indented more than `indent`, consumed. */
  private takeDeeper(indent: number): string[] {
    const texts: string[] = [];
    while (this.index < this.lines.length && (this.lines[this.index] as Line).indent > indent) texts.push((this.lines[this.index++] as Line).text);
    return texts;
  }
}

/** "key: rest" or "key:" (rest ''); undefined when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    let quoted;
    try {
      quoted = readQuoted(text, 0);
    } catch {
      return undefined;
    }
    const after = text.slice(quoted.end);
    const match = /^\s*:(?:\s+|$)/.exec(after);
    return match ? { key: quoted.value, rest: after.slice(match[0].length) } : undefined;
  }
  if (/^[[{?&*!|>%@`]/.test(text) || isSequenceItem(text)) return undefined;
  const match = /:(?:\s+|$)/.exec(text);
  if (!match) return undefined;
  return { key: text.slice(0, match.index).trimEnd(), rest: text.slice(match.index + match[0].length) };
}

/** A quoted scalar over several lines: a line break folds to a space, or to nothing after an escaping `\`. */
function foldQuoted(first: string, continuation: string[]): string {
  let text = first;
  for (const part of continuation) text = first.startsWith('"') && text.endsWith('\\') && !text.endsWith('\\\\') ? text.slice(0, -1) + part : `${text} ${part}`;
  return text;
}

function parseWholeQuoted(text: string): string {
  const { value, end } = readQuoted(text, 0);
  if (text.slice(end).trim() !== '') throw new Unsupported('text after a closing quote');
  return value;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index] as string;
    if (char === quote) {
      if (quote === "'" && text[index + 1] === "'") {
        value += "'";
        index++;
        continue;
      }
      return { value, end: index + 1 };
    }
    if (char !== '\\' || quote === "'") {
      value += char;
      continue;
    }
    const escape = text[++index] ?? '';
    const hexLength = HEX_ESCAPE_LENGTHS[escape];
    if (hexLength !== undefined) {
      const hex = text.slice(index + 1, index + 1 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) throw new Unsupported(`a bad \\${escape} escape`);
      value += String.fromCodePoint(Number.parseInt(hex, 16));
      index += hexLength;
    } else if (Object.hasOwn(ESCAPES, escape)) {
      value += ESCAPES[escape];
    } else {
      throw new Unsupported(`an unknown escape \\${escape}`);
    }
  }
  throw new Unsupported('a quoted string that is not closed');
}

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar. */
function resolvePlain(text: string): unknown {
  if (/^(?:~|null|Null|NULL)?$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (INTEGER.test(text) || FLOAT.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return text;
}

/** `[a, b]` and `{k: v}`, nested, of scalars; the whole text must be one flow collection. */
function parseFlow(text: string): unknown {
  const reader = { text, position: 0 };
  const value = readFlowNode(reader);
  skipSpaces(reader);
  if (reader.position !== text.length) throw new Unsupported('text after a closing bracket');
  return value;
}

interface FlowReader {
  text: string;
  position: number;
}

function skipSpaces(reader: FlowReader): void {
  while (reader.position < reader.text.length && /\s/.test(reader.text[reader.position] as string)) reader.position++;
}

function readFlowNode(reader: FlowReader): unknown {
  skipSpaces(reader);
  const char = reader.text[reader.position];
  if (char === '[') return readFlowCollection(reader, ']', (items: unknown[]) => items.push(readFlowNode(reader)), [] as unknown[]);
  if (char === '{') {
    return readFlowCollection(reader, '}', (mapping: Record<string, unknown>) => {
      const key = readFlowScalar(reader, true);
      skipSpaces(reader);
      if (reader.text[reader.position] !== ':') {
        put<unknown>(mapping, String(key), null);
        return;
      }
      reader.position++;
      put(mapping, String(key), readFlowNode(reader));
    }, {} as Record<string, unknown>);
  }
  return readFlowScalar(reader, false);
}

function readFlowCollection<C>(reader: FlowReader, close: string, readEntry: (collection: C) => void, collection: C): C {
  reader.position++;
  for (;;) {
    skipSpaces(reader);
    if (reader.position >= reader.text.length) throw new Unsupported(`a "${close}" is missing`);
    if (reader.text[reader.position] === close) {
      reader.position++;
      return collection;
    }
    readEntry(collection);
    skipSpaces(reader);
    const separator = reader.text[reader.position];
    if (separator === ',') reader.position++;
    else if (separator !== close) throw new Unsupported(`expected "," or "${close}" in a flow collection`);
  }
}

function readFlowScalar(reader: FlowReader, isKey: boolean): unknown {
  skipSpaces(reader);
  const char = reader.text[reader.position];
  if (char === '"' || char === "'") {
    const { value, end } = readQuoted(reader.text, reader.position);
    reader.position = end;
    return value;
  }
  if (char === '[' || char === '{') throw new Unsupported('a collection as a flow mapping key');
  const start = reader.position;
  while (reader.position < reader.text.length) {
    const current = reader.text[reader.position] as string;
    if (current === ',' || current === ']' || current === '}') break;
    if (current === ':' && (isKey || /[\s,\]}]/.test(reader.text[reader.position + 1] ?? ' '))) break;
    reader.position++;
  }
  const plain = reader.text.slice(start, reader.position).trim();
  return isKey ? plain : resolvePlain(plain);
}
