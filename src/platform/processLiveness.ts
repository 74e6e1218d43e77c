import fs from 'node:fs';

/**
 * Whether a process that a run recorded (pid, run start time) is still running on this machine. On Linux a pid
 * reused by a process that started well after the run did is told apart through /proc, so a run is not kept
 * "running" by an unrelated process that happens to get its old pid.
 */
export function isProcessAlive(pid: number, runStartedAt?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (runStartedAt === undefined) return true;
  const processStartedAt = linuxProcessStartTime(pid);
  // A minute of slack covers writers that record the start time before spawning the process they name.
  return processStartedAt === undefined || processStartedAt <= runStartedAt + 60_000;
}

let bootTimeMs: number | undefined;

function linuxProcessStartTime(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    bootTimeMs ??= readBootTime();
    // USER_HZ is 100 on every Linux architecture Node supports.
    return bootTimeMs === undefined || !Number.isFinite(startTicks) ? undefined : bootTimeMs + startTicks * 10;
  } catch {
    return undefined;
  }
}

function readBootTime(): number | undefined {
  const match = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
  return match ? Number(match[1]) * 1000 : undefined;
}
