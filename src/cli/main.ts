import { type CliIo, CommandError, UsageError } from './cliIo.ts';
import { DATASET_USAGE, DATASETS_USAGE, datasetCommand, datasetsCommand } from './datasetsCommand.ts';
import { DRIFT_USAGE, driftCommand } from './driftCommand.ts';
import { CANCEL_USAGE, JOBS_USAGE, LOGS_USAGE, RUN_USAGE, cancelCommand, jobsCommand, logsCommand, runCommand } from './jobsCommand.ts';
import { MODEL_USAGE, MODELS_USAGE, modelCommand, modelsCommand } from './modelsCommand.ts';
import { RUNS_USAGE, runsCommand } from './runsCommand.ts';

declare const MLTRAIL_VERSION: string | undefined;

const COMMANDS: Record<string, { summary: string; run(args: string[], io: CliIo): Promise<number> }> = {
  runs: { summary: 'list the runs of a store (table or --json)', run: runsCommand },
  drift: { summary: 'compare two tables for data drift (a CI gate: exit 1 on dataset drift)', run: driftCommand },
  datasets: { summary: 'list dataset versions (table or --json)', run: datasetsCommand },
  dataset: { summary: 'snapshot a dataset version (hash, size, rows, columns)', run: datasetCommand },
  models: { summary: 'list model versions, stages and artifact checks (table or --json)', run: modelsCommand },
  model: { summary: 'register, promote (with the gate) or roll back model versions', run: modelCommand },
  jobs: { summary: 'list the jobs of mltrail.json and their recent runs (table or --json)', run: jobsCommand },
  run: { summary: 'run a job on this machine, following its logs; exit code = the job\'s', run: runCommand },
  logs: { summary: 'print (or follow) a run\'s logs', run: logsCommand },
  cancel: { summary: 'cancel a running local run (SIGTERM to its process group, then SIGKILL)', run: cancelCommand },
};

export const MAIN_USAGE = `Usage: mltrail <command> [options]

MLTrail's command line, over the same store as the VS Code extension.

Commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`).join('\n')}

Options:
  -h, --help     show this help, or a command's help with "mltrail <command> --help"
  --version      print the version

Exit codes: 0 success, 1 the command failed, 2 wrong usage.

${RUNS_USAGE}
${DRIFT_USAGE}
${DATASETS_USAGE}
${DATASET_USAGE}
${MODELS_USAGE}
${MODEL_USAGE}
${JOBS_USAGE}
${RUN_USAGE}
${LOGS_USAGE}
${CANCEL_USAGE}`;

/** Runs the CLI and returns its exit code; every error becomes one line on stderr. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      io.out(MAIN_USAGE);
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      io.out(`${typeof MLTRAIL_VERSION === 'string' ? MLTRAIL_VERSION : 'development'}\n`);
      return 0;
    }
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`unknown command "${first}" (run "mltrail --help" for the list)`);
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mltrail: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      io.err(`mltrail: ${error.message}\n`);
      return 1;
    }
    io.err(`mltrail: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}
