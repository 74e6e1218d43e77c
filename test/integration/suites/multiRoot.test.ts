import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateMLTrail, children } from './helpers.ts';

describe('multi-root workspace', () => {
  it('gives each folder its own store, shown as a folder row with its own experiments', async () => {
    const api = await activateMLTrail();
    assert.equal(vscode.workspace.workspaceFolders?.length, 3);
    const folders = await children(api);
    assert.deepEqual(folders.map((folder) => folder.label), ['alpha', 'beta'], 'the folder without a store is not listed');
    const alphaExperiments = await children(api, folders[0]?.node);
    const betaExperiments = await children(api, folders[1]?.node);
    assert.deepEqual(alphaExperiments.map((experiment) => experiment.label), ['alpha-exp']);
    assert.deepEqual(betaExperiments.map((experiment) => experiment.label), ['beta-exp']);
    const runs = await api.listRuns();
    const byFolder = new Map<string, number>();
    for (const run of runs) byFolder.set(run.folder, (byFolder.get(run.folder) ?? 0) + 1);
    assert.equal(byFolder.size, 2);
  });
});
