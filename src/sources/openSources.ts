import type { WorkspaceConfig } from '../store/config.ts';
import { detectSources } from './detectSources.ts';
import { DvcLiveSource } from './dvclive.ts';
import type { ExternalSource, SourceLocation } from './externalSource.ts';
import { isDirectory, isFile } from './fileTree.ts';
import { MlflowFileStore } from './mlflowFileStore.ts';
import { MlflowSqliteSource } from './mlflowSqlite.ts';
import type { WorkerOptions } from './workerOptions.ts';

export interface OpenSourceOptions extends WorkerOptions {
  /** The workspace folder the location belongs to: DVCLive run ids and names are relative to it. */
  folder: string;
}

/**
 * A reader for one location. An MLflow location that is a file is a SQLite database, a directory a file store;
 * one that does not exist (yet) is taken for a database when it is named like one.
 */
export function openSource(location: SourceLocation, options: OpenSourceOptions): ExternalSource {
  const { folder, ...workers } = options;
  if (location.kind === 'dvclive') return new DvcLiveSource(location, folder);
  return isMlflowDatabase(location.path) ? new MlflowSqliteSource(location, workers) : new MlflowFileStore(location, workers);
}

function isMlflowDatabase(file: string): boolean {
  return isFile(file) || (!isDirectory(file) && /\.(?:db|sqlite3?)$/i.test(file));
}

/** A reader for each of a workspace folder's sources, configured and detected (see `detectSources`). */
export function openSources(folder: string, config: Pick<WorkspaceConfig, 'sources'>, workers: WorkerOptions = {}): ExternalSource[] {
  return detectSources(folder, config.sources).map((location) => openSource(location, { ...workers, folder }));
}
