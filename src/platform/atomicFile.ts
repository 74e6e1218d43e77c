import fs from 'node:fs';
import path from 'node:path';

/** Writes a file so readers see the old or the new content, never a part: write a sibling temp file, then rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await fs.promises.writeFile(temp, data);
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Appends whole lines with a single write(2) on a file opened with O_APPEND: concurrent appenders on a local file
 * system interleave lines, never bytes within a line.
 */
export function appendLines(file: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const fd = fs.openSync(file, 'a');
  try {
    const buffer = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let written = 0;
    while (written < buffer.length) written += fs.writeSync(fd, buffer, written);
  } finally {
    fs.closeSync(fd);
  }
}
