/**
 * A CSV/TSV reader into columns (RFC 4180: quoted fields with "" escapes, delimiters and newlines inside quotes,
 * CRLF, a UTF-8 BOM). Numbers are parsed straight from the bytes into a Float64Array; other columns become
 * dictionary codes. A column is numeric when every present field is a number (missing markers as pandas reads
 * them count as missing); one text field makes it categorical, and its earlier fields are taken again as text.
 */

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  /** NaN where the field was missing; ±Infinity kept (the drift engine drops and counts them). */
  values: Float64Array;
  /** Every present value is an integer. */
  integer: boolean;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `dictionary`, or -1 where the field was missing. */
  codes: Int32Array;
  dictionary: string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface CsvProblem {
  /** 1-based line of the record's start. */
  line: number;
  message: string;
}

export interface CsvTable {
  columns: Column[];
  rows: number;
  problems: CsvProblem[];
}

export interface CsvOptions {
  /** `,` by default; `\t` for TSV. */
  delimiter?: string;
  /** Problems kept before the rest are only counted (the table still loads). */
  maxProblems?: number;
}

/** What pandas.read_csv reads as missing by default. */
const MISSING = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);
const INFINITIES: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, Inf: Infinity, '+Inf': Infinity, '-Inf': -Infinity, Infinity: Infinity, '+Infinity': Infinity, '-Infinity': -Infinity, INF: Infinity, '-INF': -Infinity };

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const decoder = new TextDecoder('utf-8');
const INITIAL_ROWS = 1024;

/**
 * A decimal number from bytes [start, end), correctly rounded; undefined when the bytes are not a number. The
 * common case (at most 15 significant digits, a small exponent) is exact in binary64 arithmetic (Clinger's fast
 * path); anything else goes through Number(), which rounds correctly too.
 */
export function parseNumberBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  let position = start;
  while (position < end && bytes[position] === 0x20) position++;
  while (end > position && bytes[end - 1] === 0x20) end--;
  if (position === end) return undefined;
  let negative = false;
  if (bytes[position] === 0x2d || bytes[position] === 0x2b) {
    negative = bytes[position] === 0x2d;
    position++;
  }
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let sawDigit = false;
  let sawPoint = false;
  for (; position < end; position++) {
    const byte = bytes[position] as number;
    if (byte >= 0x30 && byte <= 0x39) {
      sawDigit = true;
      if (significant > 0 || byte !== 0x30) significant++;
      if (significant <= 15) {
        mantissa = mantissa * 10 + (byte - 0x30);
        if (sawPoint) exponent--;
      } else if (!sawPoint) {
        exponent++;
      }
    } else if (byte === 0x2e && !sawPoint) {
      sawPoint = true;
    } else {
      break;
    }
  }
  if (!sawDigit) return undefined;
  if (position < end) {
    const byte = bytes[position];
    if (byte !== 0x65 && byte !== 0x45) return undefined;
    position++;
    let exponentNegative = false;
    if (bytes[position] === 0x2d || bytes[position] === 0x2b) {
      exponentNegative = bytes[position] === 0x2d;
      position++;
    }
    let written = 0;
    let exponentDigits = 0;
    for (; position < end; position++) {
      const digit = (bytes[position] as number) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      written = Math.min(written * 10 + digit, 100_000);
      exponentDigits++;
    }
    if (exponentDigits === 0) return undefined;
    exponent += exponentNegative ? -written : written;
  }
  if (significant > 15 || exponent < -22 || exponent > 22) {
    // Beyond the fast path: let the engine's correctly rounded conversion have the text.
    const value = Number(decoder.decode(bytes.subarray(start, end)).trim());
    return Number.isNaN(value) ? undefined : value;
  }
  const magnitude = exponent < 0 ? mantissa / (POWERS_OF_TEN[-exponent] as number) : mantissa * (POWERS_OF_TEN[exponent] as number);
  return negative ? -magnitude : magnitude;
}

/** Where the fields of one record are: reused from record to record. */
class RecordBounds {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  quoted = new Uint8Array(64);
  count = 0;
  /** Newlines inside quoted fields, so the next record's line number is right. */
  newlines = 0;

  push(start: number, end: number, quoted: boolean): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(array: T, make: (length: number) => T) => {
        const grown = make(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.starts = grow(this.starts, (length) => new Int32Array(length));
      this.ends = grow(this.ends, (length) => new Int32Array(length));
      this.quoted = grow(this.quoted, (length) => new Uint8Array(length));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.quoted[this.count] = quoted ? 1 : 0;
    this.count++;
  }
}

/**
 * Finds the fields of the record that starts at `position` and returns where the next record starts, past its
 * line end; -1 when a quoted field is never closed.
 */
function scanRecord(bytes: Uint8Array, position: number, delimiter: number, bounds: RecordBounds): number {
  const length = bytes.length;
  bounds.count = 0;
  bounds.newlines = 0;
  for (;;) {
    let start = position;
    let end: number;
    let quoted = false;
    if (bytes[position] === QUOTE) {
      quoted = true;
      start = ++position;
      for (;;) {
        if (position >= length) return -1;
        const byte = bytes[position];
        if (byte === QUOTE) {
          if (bytes[position + 1] === QUOTE) position += 2;
          else break;
        } else {
          if (byte === LF) bounds.newlines++;
          position++;
        }
      }
      end = position++;
      // Anything between the closing quote and the delimiter is dropped, as most readers do.
      while (position < length && bytes[position] !== delimiter && bytes[position] !== LF && bytes[position] !== CR) position++;
    } else {
      while (position < length) {
        const byte = bytes[position];
        if (byte === delimiter || byte === LF || byte === CR) break;
        position++;
      }
      end = position;
    }
    bounds.push(start, end, quoted);
    if (bytes[position] === delimiter) {
      position++;
      if (position >= length) {
        bounds.push(position, position, false);
        return position;
      }
      continue;
    }
    if (bytes[position] === CR) position++;
    if (bytes[position] === LF) position++;
    return position;
  }
}

function fieldText(bytes: Uint8Array, start: number, end: number, quoted: boolean): string {
  const text = decoder.decode(bytes.subarray(start, end));
  return quoted && text.includes('"') ? text.replaceAll('""', '"') : text;
}

class ColumnBuilder {
  readonly name: string;
  numeric = true;
  integer = true;
  values = new Float64Array(INITIAL_ROWS);
  codes = new Int32Array(0);
  readonly dictionary = new Map<string, number>();
  private readonly byHash = new Map<number, Array<{ start: number; end: number; quoted: boolean; code: number }>>();

  constructor(name: string) {
    this.name = name;
  }

  grow(rows: number): void {
    if (this.numeric) {
      if (rows > this.values.length) {
        const values = new Float64Array(Math.max(rows, this.values.length * 2));
        values.set(this.values);
        this.values = values;
      }
    } else if (rows > this.codes.length) {
      const codes = new Int32Array(Math.max(rows, this.codes.length * 2));
      codes.set(this.codes);
      this.codes = codes;
    }
  }

  addNumber(row: number, value: number): void {
    this.values[row] = value;
    if (this.integer && Number.isFinite(value) && !Number.isInteger(value)) this.integer = false;
  }

  /**
   * A field's code from its bytes: categories repeat, so the bytes are hashed and compared with the category's
   * first occurrence, and only a new category is decoded into a string.
   */
  addBytes(row: number, bytes: Uint8Array, start: number, end: number, quoted: boolean): void {
    let hash = 0x811c9dc5;
    for (let position = start; position < end; position++) hash = Math.imul(hash ^ (bytes[position] as number), 0x01000193);
    const candidates = this.byHash.get(hash);
    if (candidates) {
      for (const candidate of candidates) {
        if (candidate.end - candidate.start !== end - start || candidate.quoted !== quoted) continue;
        let same = true;
        for (let offset = 0; offset < end - start && same; offset++) same = bytes[candidate.start + offset] === bytes[start + offset];
        if (same) {
          this.codes[row] = candidate.code;
          return;
        }
      }
    }
    const code = this.codeOf(fieldText(bytes, start, end, quoted));
    this.codes[row] = code;
    const entry = { start, end, quoted, code };
    if (candidates) candidates.push(entry);
    else this.byHash.set(hash, [entry]);
  }

  private codeOf(text: string): number {
    if (MISSING.has(text)) return -1;
    let code = this.dictionary.get(text);
    if (code === undefined) {
      code = this.dictionary.size;
      this.dictionary.set(text, code);
    }
    return code;
  }

  /** From here on the column holds text: every row so far is read again as text by the caller. */
  becomeCategorical(rows: number): void {
    this.numeric = false;
    this.codes = new Int32Array(Math.max(rows, this.values.length));
    this.values = new Float64Array(0);
  }

  finish(rows: number): Column {
    if (this.numeric) return { kind: 'numeric', name: this.name, values: this.values.slice(0, rows), integer: this.integer };
    return { kind: 'categorical', name: this.name, codes: this.codes.slice(0, rows), dictionary: [...this.dictionary.keys()] };
  }
}

/** Reads a whole CSV or TSV file's bytes into columns. The first record names the columns. */
export function readCsv(input: Uint8Array, options: CsvOptions = {}): CsvTable {
  // A plain Uint8Array view: V8 indexes it faster than a Node Buffer (a subclass) in the hot loops.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const delimiter = (options.delimiter ?? ',').charCodeAt(0);
  const maxProblems = options.maxProblems ?? 100;
  const problems: CsvProblem[] = [];
  let dropped = 0;
  const problem = (line: number, message: string) => {
    if (problems.length < maxProblems) problems.push({ line, message });
    else dropped++;
  };
  let columns: ColumnBuilder[] = [];
  const headers: string[] = [];
  const textAgain = new Set<number>();
  let rows = 0;
  let capacity = INITIAL_ROWS;
  const bounds = new RecordBounds();
  const firstRecord = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  /**
   * Calls `handle` with each record's index (0 is the header) and first line; blank lines are skipped. Returns the
   * line of a quoted field that is never closed, where reading stopped.
   */
  const forEachRecord = (handle: (record: number, line: number) => void): number | undefined => {
    let position = firstRecord;
    let record = 0;
    let line = 1;
    while (position < bytes.length) {
      if (bytes[position] === LF || (bytes[position] === CR && bytes[position + 1] === LF)) {
        position += bytes[position] === CR ? 2 : 1;
        line++;
        continue;
      }
      const next = scanRecord(bytes, position, delimiter, bounds);
      if (next < 0) return line;
      handle(record, line);
      record++;
      line += 1 + bounds.newlines;
      position = next;
    }
    return undefined;
  };
  const unclosedQuote = forEachRecord((record, line) => {
    if (record === 0) {
      for (let field = 0; field < bounds.count; field++) headers.push(fieldText(bytes, bounds.starts[field] as number, bounds.ends[field] as number, bounds.quoted[field] === 1).trim());
      columns = headers.map((name, index) => new ColumnBuilder(name || `column ${index + 1}`));
      return;
    }
    const row = record - 1;
    if (row + 1 > capacity) {
      capacity = Math.max(row + 1, capacity * 2);
      for (const builder of columns) builder.grow(capacity);
    }
    const fields = bounds.count;
    if (fields !== columns.length) problem(line, `${fields} fields where the header has ${columns.length}${fields > columns.length ? ': the extra fields are ignored' : ': the missing ones are read as missing'}`);
    const shared = Math.min(fields, columns.length);
    for (let column = 0; column < shared; column++) {
      const builder = columns[column] as ColumnBuilder;
      const start = bounds.starts[column] as number;
      const end = bounds.ends[column] as number;
      const quoted = bounds.quoted[column] === 1;
      if (builder.numeric) {
        const value = quoted ? undefined : parseNumberBytes(bytes, start, end);
        if (value !== undefined) {
          builder.addNumber(row, value);
          continue;
        }
        const text = fieldText(bytes, start, end, quoted).trim();
        const special = MISSING.has(text) ? Number.NaN : (INFINITIES[text] ?? (quoted ? parseNumberBytes(bytes, start, end) : undefined));
        if (special !== undefined) {
          builder.addNumber(row, special);
          continue;
        }
        builder.becomeCategorical(capacity);
        textAgain.add(column);
      }
      builder.addBytes(row, bytes, start, end, quoted);
    }
    for (let column = shared; column < columns.length; column++) {
      const builder = columns[column] as ColumnBuilder;
      if (builder.numeric) builder.addNumber(row, Number.NaN);
      else builder.codes[row] = -1;
    }
    rows = record;
  });
  if (unclosedQuote !== undefined) problem(unclosedQuote, 'a quoted field is never closed: the rest of the file is ignored');
  if (textAgain.size > 0) {
    // Columns that turned out to hold text: their rows before that are read again, as text.
    forEachRecord((record) => {
      if (record === 0 || record > rows) return;
      for (const column of textAgain) {
        if (column < bounds.count) (columns[column] as ColumnBuilder).addBytes(record - 1, bytes, bounds.starts[column] as number, bounds.ends[column] as number, bounds.quoted[column] === 1);
      }
    });
  }
  if (dropped > 0) problems.push({ line: 0, message: `${dropped} more problems not listed` });
  return { columns: columns.map((builder) => builder.finish(rows)), rows, problems };
}
