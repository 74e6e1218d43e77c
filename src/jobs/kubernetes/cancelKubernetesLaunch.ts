// Cancelling a Kubernetes launch: the Job is deleted with its pods (Background propagation; batch/v1 would orphan
// them otherwise) and with the code ConfigMap it owns, then every run of the launch not yet ended ends: `finished` for
// an index the Job had completed, `failed` for one it had given up on, `killed` for the others.
import { type JobObject, runPhase } from './diagnosis.ts';
import { describeKubernetesError, isNotFound } from './kubernetesErrors.ts';
import type { KubernetesConnection, KubernetesPlacement } from './kubernetesRun.ts';
import { plainObjects } from './resilientWatch.ts';
import { endRunOnce, endStatusOf } from './runEnd.ts';

export interface KubernetesCancelOptions {
  connection: KubernetesConnection;
  storeDir: string;
  placement: KubernetesPlacement;
}

/** `jobDeleted` is false when the Job was already gone. Throws, ending no run, when the cluster refuses the delete. */
export async function cancelKubernetesLaunch({ connection, storeDir, placement }: KubernetesCancelOptions): Promise<{ jobDeleted: boolean }> {
  const { BatchV1Api } = await import('./kubernetesClient.ts');
  const batch = connection.kubeConfig.makeApiClient(BatchV1Api);
  const { jobName: name, namespace } = placement;
  const refused = (error: unknown) => new Error(`cannot cancel ${namespace}/${name}: ${describeKubernetesError(error, connection)}`, { cause: error });
  // Read before the delete: the indexes that had ended are only known from the Job's status.
  let job: JobObject | undefined;
  try {
    job = plainObjects<JobObject>([await batch.readNamespacedJob({ name, namespace })])[0];
  } catch (error) {
    if (!isNotFound(error)) throw refused(error);
  }
  let jobDeleted = job !== undefined;
  if (job) {
    try {
      await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) throw refused(error);
      jobDeleted = false;
    }
  }
  for (const [index, runId] of placement.runIds.entries()) {
    // What the Job's status says of the index alone: a run still going (or the Job gone) ends killed.
    const status = endStatusOf(runPhase({ index, ...(job ? { job } : { jobGone: true }) }));
    await endRunOnce(storeDir, runId, { status, ...(status === 'finished' ? { exitCode: 0 } : {}) });
  }
  return { jobDeleted };
}
