// The parts of @kubernetes/client-node MLTrail uses, named so the bundler keeps only them (the whole client is
// about three times the size). Core modules import this module dynamically: the client costs ~100 ms to load, and
// nothing pays that before a Kubernetes feature is used.
export { BatchV1Api, CoreV1Api, KubeConfig, Log, Watch } from '@kubernetes/client-node';
