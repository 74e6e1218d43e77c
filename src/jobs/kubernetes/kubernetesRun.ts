// The contract between the Kubernetes submitter, the tracker, the CLI and the editor: what a Kubernetes run records
// in the store and how its cluster objects are labelled. Pure types and constants: importing it loads no client.

/** On the Job and its pod template: the launch's id (the run id of a single run; the sweep's id for an Indexed Job). */
export const LAUNCH_ID_LABEL = 'mltrail/run-id';
/** On the Job and its pod template: the job's name in mltrail.json. */
export const JOB_NAME_LABEL = 'mltrail/job';
/** Kueue's queue label; a Job that carries it is created suspended and Kueue admits it. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Set by the Job controller on the pods of an Indexed Job. */
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** Written into every run's start record as `backend`. */
export type JobBackend = 'local' | 'kubernetes';

/** Where a Kubernetes launch lives: recorded in each of its runs' start record (`kubernetes`) and job-state.json. */
export interface KubernetesPlacement {
  context: string;
  namespace: string;
  /** The Job's metadata.name. */
  jobName: string;
  /** The value of LAUNCH_ID_LABEL. */
  launchId: string;
  /** The run ids of the launch by completion index: one entry for a plain Job, one per sweep point for an Indexed Job. */
  runIds: string[];
}

/**
 * Where a run stands on the cluster. `queued`: the Job is suspended (Kueue) or its pod is not scheduled yet;
 * `starting`: scheduled, containers not running (pulling images); `running`; then one of the end states.
 */
export type KubernetesPhase = 'queued' | 'starting' | 'running' | 'succeeded' | 'failed' | 'killed';

export type DiagnosisReason =
  | 'Unschedulable'
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'OOMKilled'
  | 'CrashLoopBackOff'
  | 'Error'
  | 'Evicted'
  | 'DeadlineExceeded'
  | 'BackoffLimitExceeded'
  | 'KueueSuspended';

/** Why a run is stuck or failed, in words a user can act on. */
export interface Diagnosis {
  reason: DiagnosisReason;
  /** One line: the scheduler's or kubelet's own message quoted where there is one. */
  message: string;
  /** More lines: the tail of the previous container's log for CrashLoopBackOff/Error, the pod's name, ... */
  detail?: string;
  /** A hint at what to do ("Lower resources.gpus or pick a context with free nvidia.com/gpu"). */
  hint?: string;
}

/** Per pod: how far its log was copied into logs.txt, so a resumed follower adds no line twice. */
export interface PodLogCursor {
  /** The RFC 3339 (nano) timestamp of the last line copied. */
  lastTimestamp?: string;
  /** How many lines carrying exactly `lastTimestamp` were copied (several lines can share one timestamp). */
  linesAtLastTimestamp: number;
  /** The container ended and its whole log was copied. */
  complete: boolean;
}

/** The `kubernetes` section of a run's job-state.json. */
export interface KubernetesRunState {
  placement: KubernetesPlacement;
  /** This run's completion index in the Job. */
  index: number;
  phase: KubernetesPhase;
  diagnosis?: Diagnosis;
  /** By pod name. */
  pods: Record<string, PodLogCursor>;
  /** The uids of the cluster events already copied into the run's events.jsonl. */
  copiedEvents: string[];
}

/** Cluster events copied into the run (they expire on the cluster after an hour): one JSON object per line. */
export const EVENTS_FILE = 'events.jsonl';

/** What the Jobs view shows for a Kubernetes run while it is tracked. */
export interface KubernetesRunView {
  runId: string;
  placement: KubernetesPlacement;
  index: number;
  phase: KubernetesPhase;
  diagnosis?: Diagnosis;
  /** The pod now running (or last run) for this index. */
  podName?: string;
  gpus: number;
  /** When the container started running, epoch ms. */
  startedAt?: number;
  endedAt?: number;
  exitCode?: number;
}

/**
 * A cluster to talk to: the client's KubeConfig switched to `context`, and that context's namespace (or
 * "default"). Built by connectKubernetes; tests build one from the fake API server's kubeconfig.
 */
export interface KubernetesConnection {
  kubeConfig: import('@kubernetes/client-node').KubeConfig;
  context: string;
  namespace: string;
  /** The cluster's API server URL, for messages. */
  server: string;
}
