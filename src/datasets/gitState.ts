import { simpleGit } from 'simple-git';
import type { GitInfo } from '../runs/records.ts';

/**
 * The commit, branch and dirty state of the repository holding `folder`; undefined outside a repository, or when
 * git is missing or fails: a snapshot records it when it can and never fails for it. Detached: no branch.
 */
export async function readGitState(folder: string): Promise<GitInfo | undefined> {
  try {
    const git = simpleGit({ baseDir: folder, timeout: { block: 10_000 } });
    if (!(await git.checkIsRepo())) return undefined;
    const [commit, branch, status] = await Promise.allSettled([
      git.revparse(['HEAD']),
      git.revparse(['--abbrev-ref', 'HEAD']),
      // Without optional locks, as editors do, so a user's own git command never finds the index locked by us.
      git.raw(['--no-optional-locks', 'status', '--porcelain']),
    ]);
    const info: GitInfo = {};
    if (commit.status === 'fulfilled') info.commit = commit.value.trim();
    if (branch.status === 'fulfilled' && branch.value.trim() !== 'HEAD') info.branch = branch.value.trim();
    if (status.status === 'fulfilled') info.dirty = status.value.trim().length > 0;
    return info;
  } catch {
    return undefined;
  }
}
