// The steps a scripted pod walks through, one per controller.advance(), and the named scripts tests pick by label.

export type JobFailureReason = 'DeadlineExceeded' | 'BackoffLimitExceeded';

export type PodStep =
  /** Pending, PodScheduled=False, and a FailedScheduling event. */
  | { kind: 'unschedulable'; message?: string }
  /** Scheduled, container waiting with this reason, and the kubelet's pull events. */
  | { kind: 'image-pull-error'; reason: 'ErrImagePull' | 'ImagePullBackOff' }
  /** Running (a new container run after a crash); the lines go to the log. */
  | { kind: 'running'; logs?: string[] }
  /** Started, printed these lines and exited, all between two status updates: Pending to Succeeded/Failed at once. */
  | { kind: 'ran'; logs: string[]; exitCode: number }
  | { kind: 'log'; lines: string[] }
  | { kind: 'succeeded' }
  | { kind: 'failed'; exitCode: number }
  | { kind: 'oom-killed' }
  | { kind: 'evicted'; message?: string }
  /** The container exits and waits in CrashLoopBackOff; the next `running` step restarts it. */
  | { kind: 'crash'; exitCode: number }
  /** The Job controller gives up on the whole Job: Failed condition with this reason, active pods deleted. */
  | { kind: 'job-failed'; reason: JobFailureReason };

export const insufficientGpuMessage =
  '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

export const podScripts = {
  succeed: [{ kind: 'running', logs: ['epoch 1 loss=0.9'] }, { kind: 'log', lines: ['epoch 2 loss=0.5'] }, { kind: 'succeeded' }],
  fail: [{ kind: 'running', logs: ['starting'] }, { kind: 'failed', exitCode: 1 }],
  'oom-killed': [{ kind: 'running', logs: ['allocating'] }, { kind: 'oom-killed' }],
  evicted: [{ kind: 'running' }, { kind: 'evicted' }],
  unschedulable: [{ kind: 'unschedulable' }],
  'image-pull-backoff': [{ kind: 'image-pull-error', reason: 'ErrImagePull' }, { kind: 'image-pull-error', reason: 'ImagePullBackOff' }],
  'crash-loop': [
    { kind: 'running', logs: ['Traceback (most recent call last):', 'RuntimeError: CUDA error'] },
    { kind: 'crash', exitCode: 1 },
    { kind: 'running', logs: ['retrying'] },
    { kind: 'crash', exitCode: 1 },
  ],
  'deadline-exceeded': [{ kind: 'running', logs: ['training'] }, { kind: 'job-failed', reason: 'DeadlineExceeded' }],
  'backoff-limit-exceeded': [{ kind: 'running' }, { kind: 'job-failed', reason: 'BackoffLimitExceeded' }],
  /** Never advances: for tests that only need the pod to exist. */
  idle: [],
} satisfies Record<string, PodStep[]>;

export type PodScriptName = keyof typeof podScripts;

/** The label on a Job's pod template that picks its pods' script by name. */
export const scriptLabel = 'mltrail.test/script';
