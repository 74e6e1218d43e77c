import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Some file systems (network mounts, containers) drop watch events: a slow poll catches what they miss. */
const DEFAULT_POLL_MS = 1_000;

/**
 * Passes a growing file's text to `onText`: what is there on `readNow`, then, once following, what is appended
 * (a file watcher for speed, a poll as the fallback). Only the appended bytes are read; a file that shrank was
 * replaced and is read again from its start.
 */
export class LogTail {
  private readonly file: string;
  private readonly onText: (text: string) => void;
  private decoder = new StringDecoder('utf8');
  private offset = 0;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string, onText: (text: string) => void) {
    this.file = file;
    this.onText = onText;
  }

  /**
   * Leaves out all but about the last `maxBytes` of what the file holds now, from the start of a line: returns how
   * many bytes are left out (0 when the file is smaller). Call before the first `readNow`.
   */
  skipAllButLast(maxBytes: number): number {
    const size = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= maxBytes) return 0;
    const from = size - maxBytes;
    const fd = fs.openSync(this.file, 'r');
    try {
      // The first line break within the kept part: a line is not shown cut, nor a character split.
      const probe = Buffer.alloc(Math.min(maxBytes, 64 * 1024));
      const read = fs.readSync(fd, probe, 0, probe.length, from);
      const lineBreak = probe.subarray(0, read).indexOf(0x0a);
      this.offset = lineBreak === -1 ? from : from + lineBreak + 1;
    } finally {
      fs.closeSync(fd);
    }
    this.decoder = new StringDecoder('utf8');
    return this.offset;
  }

  /** Leaves out what the file holds now: only what is appended from here on is passed on. */
  skipToEnd(): void {
    this.offset = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    this.decoder = new StringDecoder('utf8');
  }

  readNow(): void {
    const size = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    if (size < this.offset) {
      this.offset = 0;
      this.decoder = new StringDecoder('utf8');
    }
    if (size === this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.decoder.write(buffer.subarray(0, read));
      if (text) this.onText(text);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Keeps reading what is appended until `stop`. The file's directory must exist; the file need not yet. */
  follow(pollMs = DEFAULT_POLL_MS): void {
    if (this.timer) return;
    const read = () => {
      try {
        this.readNow();
      } catch {
        // The file is being replaced or is briefly unreadable: the next event or poll reads it.
      }
    };
    try {
      const name = path.basename(this.file);
      this.watcher = fs.watch(path.dirname(this.file), (_event, changed) => {
        if (changed === null || changed === name) read();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // No watcher on this file system: the poll alone follows the file.
    }
    this.timer = setInterval(read, pollMs);
    read();
  }

  /** Reads what is left, passes on any incomplete character, and stops following. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.closeWatcher();
    try {
      this.readNow();
    } catch {
      // Gone: nothing more to read.
    }
    const rest = this.decoder.end();
    if (rest) this.onText(rest);
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
