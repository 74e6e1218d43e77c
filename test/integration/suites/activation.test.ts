import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateMLTrail } from './helpers.ts';

describe('activation', () => {
  it('activates in a workspace with a store and exposes its API', async () => {
    const api = await activateMLTrail();
    assert.equal(typeof api.listRuns, 'function');
    assert.equal(vscode.extensions.getExtension('mltrail.mltrail')?.isActive, true);
  });

  it('registers every command the manifest contributes', async () => {
    const manifest = vscode.extensions.getExtension('mltrail.mltrail')?.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((command) => command.command).filter((command) => !registered.has(command));
    assert.deepEqual(missing, []);
  });

  it('runs on a Node that the Kubernetes client of later work accepts (>= 22.19)', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    assert.ok(major > 22 || (major === 22 && minor >= 19), process.versions.node);
  });
});
