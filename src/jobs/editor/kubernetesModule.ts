import { createRequire } from 'node:module';

/** MLTrail's Kubernetes core with @kubernetes/client-node, as the separately bundled dist/kubernetes.cjs exports it. */
export type KubernetesModule = typeof import('../kubernetes/index.ts');

/**
 * A loader for the Kubernetes bundle: loading the client costs about 100 ms and megabytes of code, so the
 * extension's own bundle leaves it out and nothing loads it before a Kubernetes feature is first used.
 */
export function kubernetesBundleLoader(bundlePath: string): () => Promise<KubernetesModule> {
  let loaded: KubernetesModule | undefined;
  return async () => (loaded ??= createRequire(bundlePath)(bundlePath) as KubernetesModule);
}

export type { KubeContext, KubeContextList, KubeconfigSource, KubernetesTracking } from '../kubernetes/index.ts';
