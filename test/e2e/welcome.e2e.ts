import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../tools/codeServer.ts';
import { repoRoot } from '../tools/toolchain.ts';
import { type Session, openMLTrailView, startSession, treeRow } from './workbench.ts';

describe('a workspace without a store, in code-server', () => {
  let session: Session;
  let folder: string;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-empty-'));
    fs.writeFileSync(path.join(folder, 'train.py'), 'print("training")\n');
    session = await startSession({ workspace: folder, logName: 'welcome' });
  });

  after(async () => {
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('welcomes with a button that creates mltrail.json and the store', async () => {
    await openMLTrailView(session.page);
    const create = session.page.locator('.welcome-view-content a.monaco-button', { hasText: 'Create mltrail.json' });
    await create.waitFor({ timeout: 30_000 });
    await session.screenshot('10-welcome-no-store');
    await create.click();
    await waitFor(() => fs.existsSync(path.join(folder, 'mltrail.json')), 10_000, 'mltrail.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(folder, 'mltrail.json'), 'utf8')).version, 1);
    assert.ok(fs.statSync(path.join(folder, '.mltrail', 'runs')).isDirectory());
    await session.page.locator('.tab[aria-label^="mltrail.json"]').waitFor();
    await session.page.locator('.welcome-view-content', { hasText: 'No runs recorded yet' }).waitFor({ timeout: 15_000 });
    await session.screenshot('11-welcome-no-runs');
  });

  it('shows a run recorded by a plain Python script, without a reload', async () => {
    const result = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'docs', 'examples', 'log_run.py')], { cwd: folder, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const row = treeRow(session.page, 'python-demo');
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await treeRow(session.page, 'lr=0.01, Finished').waitFor();
    await session.screenshot('12-first-run');
  });
});
