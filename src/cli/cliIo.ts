/** What a CLI command needs from its process, so commands can be run and tested in-process. */
export interface CliIo {
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** The bulk-read worker script, when the CLI runs from its bundle or its sources. */
  workerScript?: string | URL;
  /** The drift engine's worker script; without it, `mltrail drift` computes on its own thread. */
  driftWorkerScript?: string | URL;
}

/** What a command interrupted with Ctrl-C exits with, as shells report a process ended by SIGINT. */
export const INTERRUPTED_EXIT_CODE = 130;

/** A wrong invocation: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** A failure of the work itself (missing store, unreadable file): one line on stderr, exit code 1. */
export class CommandError extends Error {}
