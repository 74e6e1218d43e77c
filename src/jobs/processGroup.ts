import fs from 'node:fs';

/**
 * Whether any process of the group led by `groupId` is still running. On Linux, zombies are not counted: in a
 * container whose first process does not reap orphans, an exited grandchild would otherwise stay "alive".
 */
export function isGroupAlive(groupId: number): boolean {
  if (process.platform === 'linux') {
    const members = linuxGroupMembers(groupId);
    if (members !== undefined) return members.some((state) => state !== 'Z');
  }
  try {
    process.kill(-groupId, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The states of the processes in the group, from /proc; undefined when /proc cannot be read. */
function linuxGroupMembers(groupId: number): string[] | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  const states: string[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === groupId) states.push(fields[0] ?? '');
    } catch {
      // The process ended while the list was read.
    }
  }
  return states;
}

function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const POLL_MS = 100;

async function waitForGroupExit(groupId: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isGroupAlive(groupId)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/**
 * SIGTERM to every process of the group, then SIGKILL to what is left after `graceMs`. Resolves once the group is
 * gone (or SIGKILL had a few seconds to act); returns whether SIGKILL was needed.
 */
export async function terminateGroup(groupId: number, graceMs: number): Promise<boolean> {
  signalGroup(groupId, 'SIGTERM');
  if (await waitForGroupExit(groupId, graceMs)) return false;
  signalGroup(groupId, 'SIGKILL');
  await waitForGroupExit(groupId, 5_000);
  return true;
}
