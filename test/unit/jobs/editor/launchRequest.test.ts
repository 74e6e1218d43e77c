import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLaunchJobRequest } from '../../../../src/jobs/editor/launchRequest.ts';

describe('launch requests', () => {
  it('takes what the CodeLens passes and nothing from the command palette', () => {
    assert.deepEqual(parseLaunchJobRequest(undefined), {});
    assert.deepEqual(parseLaunchJobRequest({ folder: 'file:///w', job: 'train', backend: 'kubernetes' }), { folder: 'file:///w', job: 'train', backend: 'kubernetes' });
    assert.deepEqual(parseLaunchJobRequest({ folder: 'file:///w', script: 'src/train.py' }), { folder: 'file:///w', script: 'src/train.py' });
    assert.deepEqual(parseLaunchJobRequest({ folder: 'file:///w', job: 'train', backend: 'local', document: 'file:///w/train.py' }), { folder: 'file:///w', job: 'train', backend: 'local', document: 'file:///w/train.py' });
  });

  it('refuses with a message what it cannot launch', () => {
    assert.throws(() => parseLaunchJobRequest('train'), /expected \{"folder"/);
    assert.throws(() => parseLaunchJobRequest({ folder: 'file:///w', job: 'train', script: 'train.py' }), /not both/);
    assert.throws(() => parseLaunchJobRequest({ folder: 'file:///w', job: 'train', backend: 'cloud' }), /"backend" must be "local" or "kubernetes"/);
    assert.throws(() => parseLaunchJobRequest({ folder: 'file:///w', script: '../outside.py' }), /inside the folder/);
    assert.throws(() => parseLaunchJobRequest({ folder: 'file:///w', script: '/etc/train.py' }), /inside the folder/);
    assert.throws(() => parseLaunchJobRequest({ job: 'train' }), /needs its "folder"/);
    assert.throws(() => parseLaunchJobRequest({ folder: 7 }), /"folder" must be a folder URI/);
    assert.throws(() => parseLaunchJobRequest({ folder: 'file:///w', job: 'train', document: 3 }), /"document" must be a document URI/);
  });
});
