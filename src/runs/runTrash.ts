import fs from 'node:fs';
import path from 'node:path';
import { TRASH_DIR, runDir } from '../store/layout.ts';

/**
 * Deleting a run moves its directory to `<store>/trash/` (a rename: nothing is copied, nothing is lost). A run
 * deleted twice under the same id keeps both copies. Returns where the run went.
 */
export function moveRunToTrash(storeDir: string, runId: string, now: Date = new Date()): string {
  const source = runDir(storeDir, runId);
  const trash = path.join(storeDir, TRASH_DIR);
  fs.mkdirSync(trash, { recursive: true });
  let target = path.join(trash, runId);
  if (fs.existsSync(target)) target = path.join(trash, `${runId}.deleted-${now.toISOString().replace(/[:.]/g, '-')}`);
  fs.renameSync(source, target);
  return target;
}
