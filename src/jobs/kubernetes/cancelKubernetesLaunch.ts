// Cancelling a Kubernetes launch: the Job is deleted with its pods (Background propagation; batch/v1 would orphan
// them otherwise) and with the code ConfigMap it owns, then every run of the launch not yet ended ends `killed`.
import { endRunOnce } from './runEnd.ts';
import { describeKubernetesError, isNotFound } from './kubernetesErrors.ts';
import type { KubernetesConnection, KubernetesPlacement } from './kubernetesRun.ts';

export interface KubernetesCancelOptions {
  connection: KubernetesConnection;
  storeDir: string;
  placement: KubernetesPlacement;
}

/** `jobDeleted` is false when the Job was already gone. Throws, ending no run, when the cluster refuses the delete. */
export async function cancelKubernetesLaunch({ connection, storeDir, placement }: KubernetesCancelOptions): Promise<{ jobDeleted: boolean }> {
  const { BatchV1Api } = await import('./kubernetesClient.ts');
  const batch = connection.kubeConfig.makeApiClient(BatchV1Api);
  let jobDeleted = true;
  try {
    await batch.deleteNamespacedJob({ name: placement.jobName, namespace: placement.namespace, propagationPolicy: 'Background' });
  } catch (error) {
    if (!isNotFound(error)) throw new Error(`cannot cancel ${placement.namespace}/${placement.jobName}: ${describeKubernetesError(error, connection)}`, { cause: error });
    jobDeleted = false;
  }
  for (const runId of placement.runIds) await endRunOnce(storeDir, runId, { status: 'killed' });
  return { jobDeleted };
}
