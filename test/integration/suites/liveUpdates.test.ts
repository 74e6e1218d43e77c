import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateMLTrail, children, eventually, workspacePath } from './helpers.ts';

describe('live updates from the store', () => {
  it('shows a run that a script starts, its new metric points and its end, without a refresh', async () => {
    const api = await activateMLTrail();
    await api.listRuns();
    const dir = path.join(workspacePath(), '.mltrail', 'runs', '20990101-000000-11aa22');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.jsonl'), `${JSON.stringify({ type: 'start', experiment: 'baseline', name: 'written by a script', time: Date.now() })}\n`);
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '{"name":"val/loss","step":0,"value":0.9}\n');
    await eventually(async () => (await api.listRuns()).find((run) => run.name === 'written by a script'), 'the new run');

    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"name":"val/loss","step":1,"value":0.125}\n');
    const updated = await eventually(async () => (await api.listRuns()).find((run) => run.metrics['val/loss']?.last === 0.125), 'the appended point');
    assert.equal(updated.status, 'running');
    const baseline = (await children(api)).find((experiment) => experiment.label === 'baseline');
    const row = (await children(api, baseline?.node)).find((run) => run.label === 'written by a script');
    assert.match(String(row?.item.description), /^val\/loss 0\.125/);

    fs.appendFileSync(path.join(dir, 'run.jsonl'), `${JSON.stringify({ type: 'end', status: 'failed', exitCode: 2 })}\n`);
    await eventually(async () => (await api.listRuns()).find((run) => run.name === 'written by a script' && run.status === 'failed'), 'the end record');
  });

  it('lists malformed lines in the Problems panel at their line, and clears them once fixed', async () => {
    const api = await activateMLTrail();
    await api.listRuns();
    const dir = path.join(workspacePath(), '.mltrail', 'runs', '20990101-000001-33bb44');
    fs.mkdirSync(dir, { recursive: true });
    const metrics = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(path.join(dir, 'run.jsonl'), '{"type":"start","name":"with problems"}\n');
    fs.writeFileSync(metrics, '{"name":"a","step":0,"value":1}\n{"name":"a","step":1,"value":"lots"}\n');
    const diagnostics = await eventually(() => {
      const found = vscode.languages.getDiagnostics(vscode.Uri.file(metrics));
      return found.length > 0 ? found : undefined;
    }, 'a diagnostic');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.range.start.line, 1);
    assert.equal(diagnostics[0]?.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostics[0]?.message ?? '', /"value" must be a number/);

    const replacement = `${metrics}.tmp`;
    fs.writeFileSync(replacement, '{"name":"a","step":0,"value":1}\n{"name":"a","step":1,"value":2}\n');
    fs.renameSync(replacement, metrics);
    await eventually(() => vscode.languages.getDiagnostics(vscode.Uri.file(metrics)).length === 0, 'the diagnostic to clear');
  });

  it('drops a deleted run directory from the view', async () => {
    const api = await activateMLTrail();
    const dir = path.join(workspacePath(), '.mltrail', 'runs', '20990101-000002-55cc66');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.jsonl'), '{"type":"start","name":"short-lived"}\n');
    await eventually(async () => (await api.listRuns()).some((run) => run.name === 'short-lived'), 'the run to appear');
    fs.rmSync(dir, { recursive: true });
    await eventually(async () => !(await api.listRuns()).some((run) => run.name === 'short-lived'), 'the run to go');
  });
});
