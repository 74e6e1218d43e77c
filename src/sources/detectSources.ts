import path from 'node:path';
import type { ConfiguredSource } from '../store/config.ts';
import { isDvcLiveDir } from './dvclive.ts';
import type { SourceLocation } from './externalSource.ts';
import { isFile } from './fileTree.ts';
import { isMlflowFileStore } from './mlflowFileStore.ts';

/**
 * The other trackers' runs of a workspace folder: what mltrail.json's "sources" lists (`configured`, exactly as
 * given, found or not), then what sits at the folder's root under the default names (`detected`): `mlruns/`,
 * `mlflow.db`, `dvclive/`. One location per path, a configured one first.
 */
export function detectSources(folder: string, configured: readonly ConfiguredSource[] = []): SourceLocation[] {
  const locations: SourceLocation[] = configured.map((source) => ({ kind: source.type, path: path.resolve(folder, source.path), origin: 'configured' }));
  const mlruns = path.join(folder, 'mlruns');
  if (isMlflowFileStore(mlruns)) locations.push({ kind: 'mlflow', path: mlruns, origin: 'detected' });
  const database = path.join(folder, 'mlflow.db');
  if (isFile(database)) locations.push({ kind: 'mlflow', path: database, origin: 'detected' });
  const dvclive = path.join(folder, 'dvclive');
  if (isDvcLiveDir(dvclive)) locations.push({ kind: 'dvclive', path: dvclive, origin: 'detected' });
  const seen = new Set<string>();
  return locations.filter((location) => {
    if (seen.has(location.path)) return false;
    seen.add(location.path);
    return true;
  });
}
