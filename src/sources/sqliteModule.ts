import type * as Sqlite from 'node:sqlite';

export type SqliteModule = typeof Sqlite;

/**
 * node:sqlite when this Node has it, else undefined (VS Code's Node may predate it). Loaded synchronously, so a
 * worker's handler can use it, and without the ExperimentalWarning some Node versions print when it first loads:
 * that warning would only confuse the people reading the extension's or the CLI's output.
 */
export function loadSqlite(): SqliteModule | undefined {
  if (typeof process.getBuiltinModule !== 'function') return undefined;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === 'string' ? warning : warning.message;
    if (/sqlite/i.test(message) && warningType(warning, rest[0]) === 'ExperimentalWarning') return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite') as SqliteModule | undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

function warningType(warning: string | Error, typeOrOptions: unknown): string | undefined {
  if (typeof typeOrOptions === 'string') return typeOrOptions;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions) return String(typeOrOptions.type);
  return typeof warning === 'string' ? undefined : warning.name;
}

/** Why a database cannot be read here, in the words the views show. */
export function sqliteMissingMessage(databasePath: string): string {
  const node = process.versions.electron ? `this VS Code's Node ${process.versions.node}` : `this Node ${process.versions.node}`;
  return `${node} cannot open SQLite databases (node:sqlite is missing); MLflow runs in ${databasePath} are not shown`;
}
