import fs from 'node:fs';

/** Where an incremental reader stopped in a JSONL file, and what the file looked like then. */
export interface FileCursor {
  /** Byte offset just after the last complete (newline-terminated) line consumed. */
  offset: number;
  /** Number of complete lines consumed, so problems can name file:line. */
  lines: number;
  size: number;
  mtimeMs: number;
  ino: number;
  /**
   * A hash of the file's first bytes and of the bytes just before `offset`: a file rewritten in place (same inode,
   * same or larger size) rather than appended to almost always changes it.
   */
  fingerprint: string;
}

export interface ReadLinesResult {
  cursor: FileCursor;
  /** True when the file was read from its start (first read, or it was replaced or truncated). */
  fromStart: boolean;
}

export interface LineHandler {
  line(text: string, line: number): void;
  /** Called before any line when a file that had a cursor is read again from its start (replaced or truncated). */
  restart?(): void;
  /** A line longer than `maxLineBytes` is skipped, not buffered, and reported here. */
  overlong?(line: number, bytes: number): void;
}

export interface ReadLinesOptions {
  maxLineBytes?: number;
  chunkBytes?: number;
}

const HEAD_BYTES = 64;
const TAIL_BYTES = 16;
const NEWLINE = 0x0a;

export function isUnchanged(stat: { size: number; mtimeMs: number; ino: number }, cursor: FileCursor | undefined): boolean {
  return cursor !== undefined && stat.size === cursor.size && stat.mtimeMs === cursor.mtimeMs && stat.ino === cursor.ino;
}

/**
 * Calls `handler.line` for every complete line added since `cursor` (every line when there is no cursor, or when the
 * file was replaced or truncated). A trailing line without its newline is left for a later read, so a writer
 * caught mid-line is never seen half-written. Blank lines are skipped but counted. Returns undefined when the
 * file does not exist.
 */
export function readNewLines(
  path: string,
  cursor: FileCursor | undefined,
  handler: LineHandler,
  options: ReadLinesOptions = {},
): ReadLinesResult | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (cursor && isUnchanged(stat, cursor)) return { cursor, fromStart: false };
    const resume = cursor !== undefined && stat.ino === cursor.ino && stat.size >= cursor.offset && fingerprint(fd, cursor.offset) === cursor.fingerprint;
    if (cursor && !resume) handler.restart?.();
    const start = resume ? cursor.offset : 0;
    const startLine = resume ? cursor.lines : 0;
    const { offset, lines } = scanLines(fd, start, stat.size, startLine, handler, options);
    return {
      cursor: { offset, lines, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, fingerprint: fingerprint(fd, offset) },
      fromStart: !resume,
    };
  } finally {
    fs.closeSync(fd);
  }
}

function scanLines(
  fd: number,
  start: number,
  end: number,
  startLine: number,
  handler: LineHandler,
  options: ReadLinesOptions,
): { offset: number; lines: number } {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const chunk = Buffer.allocUnsafe(Math.min(options.chunkBytes ?? 4 * 1024 * 1024, Math.max(end - start, 1)));
  let position = start;
  let consumed = start;
  let line = startLine;
  let pending: Buffer | undefined;
  let skippingBytes = -1; // >= 0 while discarding an overlong line

  while (position < end) {
    const read = fs.readSync(fd, chunk, 0, Math.min(chunk.length, end - position), position);
    if (read === 0) break;
    position += read;
    let data = chunk.subarray(0, read);

    if (skippingBytes >= 0) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) {
        skippingBytes += read;
        continue;
      }
      line += 1;
      handler.overlong?.(line, skippingBytes + newline);
      skippingBytes = -1;
      consumed = position - read + newline + 1;
      data = data.subarray(newline + 1);
    }

    if (pending) data = Buffer.concat([pending, data]);
    pending = undefined;
    const lastNewline = data.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      if (data.length > maxLineBytes) skippingBytes = data.length;
      else pending = Buffer.from(data);
      continue;
    }
    const text = data.toString('utf8', 0, lastNewline + 1);
    let lineStart = 0;
    while (lineStart < text.length) {
      const lineEnd = text.indexOf('\n', lineStart);
      line += 1;
      let content = text.slice(lineStart, lineEnd);
      lineStart = lineEnd + 1;
      if (line === 1 && content.charCodeAt(0) === 0xfeff) content = content.slice(1);
      if (content.endsWith('\r')) content = content.slice(0, -1);
      // A UTF-16 length over a third of the limit may be over it in bytes: only then count the bytes.
      const bytes = content.length * 3 > maxLineBytes ? Buffer.byteLength(content) : 0;
      if (bytes > maxLineBytes) handler.overlong?.(line, bytes);
      else if (content.trim().length > 0) handler.line(content, line);
    }
    consumed = position - data.length + lastNewline + 1;
    const rest = data.subarray(lastNewline + 1);
    if (rest.length > maxLineBytes) skippingBytes = rest.length;
    else if (rest.length > 0) pending = Buffer.from(rest);
  }
  return { offset: consumed, lines: line };
}

/** FNV-1a (32 bits) of the first bytes and of the bytes before `offset`, as 16 hex digits: short, for the cache. */
function fingerprint(fd: number, offset: number): string {
  const hash = (position: number, length: number) => {
    const buffer = Buffer.alloc(Math.max(0, length));
    fs.readSync(fd, buffer, 0, buffer.length, position);
    let value = 0x811c9dc5;
    for (const byte of buffer) value = Math.imul(value ^ byte, 0x01000193) >>> 0;
    return value.toString(16).padStart(8, '0');
  };
  const head = Math.min(HEAD_BYTES, offset);
  const tail = Math.min(TAIL_BYTES, offset);
  return hash(0, head) + hash(offset - tail, tail);
}
