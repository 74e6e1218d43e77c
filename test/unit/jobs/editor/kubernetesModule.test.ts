import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { kubernetesBundleLoader } from '../../../../src/jobs/editor/kubernetesModule.ts';
import { tempDir } from '../../../support/tempStore.ts';

describe('the Kubernetes bundle loader', () => {
  it('loads the CommonJS bundle on first use only, and once', async () => {
    const bundle = path.join(tempDir(), 'kubernetes.cjs');
    const load = kubernetesBundleLoader(bundle);
    // Nothing is read when the loader is made: the bundle may even be written later.
    fs.writeFileSync(bundle, 'globalThis.kubernetesBundleLoads = (globalThis.kubernetesBundleLoads ?? 0) + 1; module.exports = { marker: {} };');
    const first = await load();
    const second = await load();
    assert.equal(first, second);
    assert.equal((globalThis as { kubernetesBundleLoads?: number }).kubernetesBundleLoads, 1);
  });

  it('is what the build ships apart: dist/kubernetes.cjs exports the functions the editor calls, dist/extension.cjs holds no client', async () => {
    const dist = path.resolve(import.meta.dirname, '../../../../dist');
    assert.ok(fs.existsSync(path.join(dist, 'kubernetes.cjs')) && fs.existsSync(path.join(dist, 'extension.cjs')), 'the bundles are missing: run npm run build first');
    const kubernetes = await kubernetesBundleLoader(path.join(dist, 'kubernetes.cjs'))();
    for (const name of ['readKubeContexts', 'connectKubernetes', 'submitKubernetesJob', 'cancelKubernetesLaunch', 'describeKubernetesError', 'trackKubernetesLaunch', 'readKubernetesRunState', 'NoKubeconfig'] as const) {
      assert.equal(typeof kubernetes[name], 'function', name);
    }
    const extension = fs.readFileSync(path.join(dist, 'extension.cjs'), 'utf8');
    assert.equal(/BatchV1Api|createNamespacedJob|undici/.test(extension), false, 'the extension bundle must not carry the Kubernetes client');
  });
});
