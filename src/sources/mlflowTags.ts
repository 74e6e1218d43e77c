import { get } from '../platform/dictionary.ts';
import type { GitInfo } from '../runs/records.ts';

/** MLflow runs are `mlflow:<run uuid>` among the runs of every source. */
export const MLFLOW_RUN_ID_PREFIX = 'mlflow:';

/** The tag MLflow keeps a run's name in (older runs have no other). */
export const RUN_NAME_TAG = 'mlflow.runName';

/** The commit and branch MLflow tags a run with when it ran from a Git checkout. */
export function gitFromTags(tags: Record<string, unknown>): GitInfo | undefined {
  const commit = get(tags, 'mlflow.source.git.commit');
  const branch = get(tags, 'mlflow.source.git.branch');
  const git: GitInfo = {};
  if (typeof commit === 'string' && commit) git.commit = commit;
  if (typeof branch === 'string' && branch) git.branch = branch;
  return git.commit || git.branch ? git : undefined;
}
