// A workspace folder with mltrail.json, a store with runs, and model artifacts, for the model registry's tests.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../../../src/models/modelConfig.ts';
import { jsonl, tempDir, writeRunFiles } from '../../support/tempStore.ts';

export interface TestWorkspace {
  folder: string;
  storeDir: string;
}

export const CLASSIFIER: ModelConfig = { name: 'classifier', path: 'out/model.pt', metric: 'val/acc', goal: 'max', minDelta: 0 };

export function testWorkspace(models: Record<string, unknown> = { classifier: { path: 'out/model.pt', metric: 'val/acc', goal: 'max', gate: { minDelta: 0 } } }): TestWorkspace {
  const folder = tempDir('mltrail-models-');
  fs.writeFileSync(path.join(folder, 'mltrail.json'), JSON.stringify({ version: 1, models }, null, 2));
  const storeDir = path.join(folder, '.mltrail');
  fs.mkdirSync(path.join(storeDir, 'runs'), { recursive: true });
  writeArtifact(folder, 'out/model.pt', 'weights v1');
  return { folder, storeDir };
}

export function writeArtifact(folder: string, relative: string, content: string): string {
  const file = path.join(folder, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** A finished run whose metrics end at the given values (an earlier step holds other values). */
export function writeRun(storeDir: string, id: string, lastMetrics: Record<string, number>, extra: unknown[] = []): void {
  const points = Object.entries(lastMetrics).flatMap(([name, value]) => [{ name, step: 0, value: -1 }, { name, step: 1, value }]);
  writeRunFiles(storeDir, id, {
    run: jsonl({ type: 'start', time: '2026-03-01T10:00:00Z', git: { commit: 'abc1234', branch: 'main', dirty: false } }, ...extra, { type: 'end', status: 'finished' }),
    metrics: jsonl(...points),
  });
}
