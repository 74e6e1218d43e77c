import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseModelConfigs } from '../../../src/models/modelConfig.ts';
import { loadWorkspaceConfig } from '../../../src/store/config.ts';
import { tempDir } from '../../support/tempStore.ts';

function configWith(text: string) {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'mltrail.json'), text);
  return parseModelConfigs(loadWorkspaceConfig(folder));
}

describe('parseModelConfigs', () => {
  it('reads declared models, with minDelta 0 by default', () => {
    const { models, problems } = configWith(JSON.stringify({
      models: {
        classifier: { path: 'out/model.pt', metric: 'val/acc', goal: 'max', gate: { minDelta: 0.01 } },
        ranker: { metric: 'val/loss', goal: 'min' },
      },
    }));
    assert.deepEqual(problems, []);
    assert.deepEqual(models, [
      { name: 'classifier', path: 'out/model.pt', metric: 'val/acc', goal: 'max', minDelta: 0.01 },
      { name: 'ranker', metric: 'val/loss', goal: 'min', minDelta: 0 },
    ]);
  });

  it('leaves out invalid entries, each reported on its own line', () => {
    const text = `{
  "models": {
    "good": {"metric": "acc", "goal": "max"},
    "no-goal": {"metric": "acc"},
    "bad/name": {"metric": "acc", "goal": "max"},
    "bad-gate": {"metric": "acc", "goal": "min", "gate": {"minDelta": "big"}},
    "no-metric": {"path": "m.pt", "goal": "max"},
    "empty-path": {"path": "", "metric": "acc", "goal": "max"},
    "not-object": 3
  }
}`;
    const { models, problems } = configWith(text);
    assert.deepEqual(models.map((model) => model.name), ['good']);
    assert.deepEqual(problems.map((problem) => problem.line), [4, 5, 6, 7, 8, 9]);
    assert.match(problems[0]!.message, /"models"\."no-goal": "goal" must be "max" or "min"; model ignored/);
    assert.match(problems[1]!.message, /model name/);
    assert.match(problems[2]!.message, /minDelta/);
    assert.match(problems[3]!.message, /"metric"/);
    assert.match(problems[4]!.message, /"path"/);
    assert.match(problems[5]!.message, /must be an object/);
  });

  it('reports a "models" that is not an object, and is quiet without one', () => {
    assert.match(configWith('{"version": 1,\n"models": []}').problems[0]?.message ?? '', /"models" must be an object/);
    assert.equal(configWith('{"version": 1,\n"models": []}').problems[0]?.line, 2);
    assert.deepEqual(configWith('{"version": 1}'), { models: [], problems: [] });
  });
});
