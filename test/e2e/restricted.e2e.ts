import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatParamValue } from '../../src/platform/format.ts';
import { type GeneratedRun, generateWorkspace } from '../workspace/generateWorkspace.ts';
import { type Session, openMLTrailView, runDetailsFrame, startSession, tableRows, treeRow } from './workbench.ts';

describe('Restricted Mode (an untrusted workspace)', () => {
  let session: Session;
  let folder: string;
  let runs: GeneratedRun[];

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrail-e2e-untrusted-'));
    runs = generateWorkspace(folder, { runs: 30, experiments: ['baseline'], steps: 8, seed: 2, config: { version: 1 } });
    session = await startSession({ workspace: folder, askForTrust: true });
  });

  after(async () => {
    await session?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('still lists runs and opens their details in a folder that is not trusted', async () => {
    // code-server opens a folder it was not told to trust straight in Restricted Mode (no trust prompt).
    await session.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
    await openMLTrailView(session.page);
    await treeRow(session.page, 'baseline').click();
    const run = runs.at(-1) as GeneratedRun;
    await treeRow(session.page, run.name).click();
    const frame = await runDetailsFrame(session.page, run.name);
    assert.deepEqual(await tableRows(frame, 'Parameters'), Object.entries(run.params).map(([key, value]) => [key, formatParamValue(value)]));
    await session.screenshot('13-restricted-mode');
    assert.deepEqual(session.problems, []);
  });
});
