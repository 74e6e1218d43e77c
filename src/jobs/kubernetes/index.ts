// The Kubernetes core as the extension loads it on first use: esbuild bundles this module, with
// @kubernetes/client-node, into dist/kubernetes.cjs, apart from the extension's own bundle.
export { NoKubeconfig, connectKubernetes, readKubeContexts, type KubeContext, type KubeContextList, type KubeconfigSource } from './kubeContexts.ts';
export { submitKubernetesJob, type KubernetesSubmission } from './submitKubernetesJob.ts';
export { cancelKubernetesLaunch } from './cancelKubernetesLaunch.ts';
export { describeKubernetesError } from './kubernetesErrors.ts';
export { trackKubernetesLaunch, type KubernetesTrackOptions, type KubernetesTracking } from './kubernetesTracker.ts';
export { readKubernetesRunState } from './kubernetesRunState.ts';
export { TrackedElsewhere } from './trackerLock.ts';
