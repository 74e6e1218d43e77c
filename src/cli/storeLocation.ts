import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspaceConfig } from '../store/config.ts';
import type { CliIo } from './cliIo.ts';
import { CommandError } from './cliIo.ts';

/** `--store DIR`, else what ./mltrail.json names, else ./.mltrail. A store that does not exist is an error. */
export function resolveStoreDir(io: CliIo, storeOption: string | undefined): string {
  let storeDir: string;
  if (storeOption !== undefined) {
    storeDir = path.resolve(io.cwd, storeOption);
  } else {
    const config = loadWorkspaceConfig(io.cwd);
    for (const problem of config.problems) io.err(`${config.configFile}:${problem.line}: ${problem.message}\n`);
    storeDir = config.storeDir;
  }
  if (!fs.existsSync(storeDir)) {
    throw new CommandError(`no MLTrail store at ${storeDir} (create mltrail.json, or pass --store DIR)`);
  }
  if (!fs.statSync(storeDir).isDirectory()) throw new CommandError(`${storeDir} is not a directory`);
  return storeDir;
}
