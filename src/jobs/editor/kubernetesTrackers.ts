import type { KubernetesConnection, KubernetesPlacement, KubernetesRunState, KubernetesRunView } from '../kubernetes/kubernetesRun.ts';
import type { KubernetesModule, KubernetesTracking } from './kubernetesModule.ts';

/** The store a launch's runs are recorded in. */
export interface TrackedStore {
  storeDir: string;
  /** The workspace folder. */
  folder: string;
}

/** A launched run the store may not have indexed yet: its name and job come from the launch's plan. */
export interface LaunchedRun {
  id: string;
  name: string;
  job: string;
}

export interface KubernetesTrackersOptions {
  load(): Promise<KubernetesModule>;
  /** A run's phase, diagnosis or pod changed. */
  onChange(): void;
  onDiagnosis(store: TrackedStore, view: KubernetesRunView): void;
  /**
   * A tracker's failure: one it retries (the cluster unreachable for a while), or one that stopped it (the runs
   * then keep the state last saved until a re-attach picks them up again).
   */
  onError(placement: KubernetesPlacement, error: unknown): void;
  /** How long `reattach` leaves a launch it tried before trying it again (default two minutes). */
  reattachIntervalMs?: number;
  now?: () => number;
}

/** Another process may follow a launch (TrackedElsewhere), or its cluster be unreachable: tried again this often. */
const REATTACH_INTERVAL_MS = 120_000;

interface TrackedLaunch {
  store: TrackedStore;
  connection: KubernetesConnection;
  placement: KubernetesPlacement;
  runs: Map<string, LaunchedRun>;
  /** Undefined while the Kubernetes bundle loads. */
  tracking?: KubernetesTracking;
}

/**
 * This window's trackers of Kubernetes launches, one per launch (a sweep's runs share one), and the live views of
 * their runs. Views outlive their tracker, so the end of a run shows until the store has indexed its end record.
 */
export class KubernetesTrackers {
  private readonly options: KubernetesTrackersOptions;
  private readonly launches = new Map<string, TrackedLaunch>();
  private readonly runViews = new Map<string, KubernetesRunView>();
  private readonly launchOfRun = new Map<string, string>();
  private readonly launchedRuns = new Map<string, { store: TrackedStore; run: LaunchedRun }>();
  private readonly logListeners = new Map<string, Set<(text: string) => void>>();
  /** When `reattach` last tried each launch. */
  private readonly reattachAttempts = new Map<string, number>();
  private disposed = false;

  constructor(options: KubernetesTrackersOptions) {
    this.options = options;
  }

  /** Starts tracking a launch unless this window tracks it already; resolves once its tracker runs. */
  async track(store: TrackedStore, connection: KubernetesConnection, placement: KubernetesPlacement, runs: readonly LaunchedRun[] = []): Promise<void> {
    if (this.disposed || this.launches.has(placement.launchId)) return;
    const launch: TrackedLaunch = { store, connection, placement, runs: new Map(runs.map((run) => [run.id, run])) };
    this.launches.set(placement.launchId, launch);
    for (const runId of placement.runIds) this.launchOfRun.set(runId, placement.launchId);
    for (const run of runs) this.launchedRuns.set(run.id, { store, run });
    let kubernetes: KubernetesModule;
    try {
      kubernetes = await this.options.load();
    } catch (error) {
      this.forget(placement.launchId);
      throw error;
    }
    if (this.disposed) return;
    let tracking: KubernetesTracking;
    try {
      tracking = this.startTracking(kubernetes, launch);
    } catch (error) {
      this.forget(placement.launchId);
      // Another window or `mltrail run` follows it and writes the store; this window shows what it writes.
      if (error instanceof kubernetes.TrackedElsewhere) return;
      throw error;
    }
    launch.tracking = tracking;
    this.takeViews(tracking.views());
    tracking.finished.then(
      () => this.takeViews(tracking.views()),
      (error: unknown) => this.options.onError(placement, error),
    ).finally(() => {
      tracking.stop();
      this.forget(placement.launchId);
      this.options.onChange();
    });
  }

  private startTracking(kubernetes: KubernetesModule, { store, connection, placement }: TrackedLaunch): KubernetesTracking {
    return kubernetes.trackKubernetesLaunch({
      connection,
      storeDir: store.storeDir,
      folder: store.folder,
      placement,
      followLogs: true,
      onChange: (views) => this.takeViews(views),
      onLog: (runId, text) => {
        for (const listener of this.logListeners.get(runId) ?? []) listener(text);
      },
      onDiagnosis: (view) => this.options.onDiagnosis(store, view),
      onError: (error) => this.options.onError(placement, error),
    });
  }

  /**
   * Tracks the launches of runs still going that no tracker of this window follows: those going when this window
   * (re)started, and those another process launched or followed until it went away. One tracker per launch, each
   * launch tried at most once per `reattachIntervalMs`; a launch whose cluster cannot be reached is reported
   * through `onError` and left as last saved.
   */
  async reattach(store: TrackedStore, states: readonly KubernetesRunState[], connect: (context: string) => Promise<KubernetesConnection>): Promise<void> {
    const now = this.options.now?.() ?? Date.now();
    const interval = this.options.reattachIntervalMs ?? REATTACH_INTERVAL_MS;
    const placements = new Map<string, KubernetesPlacement>();
    for (const { placement } of states) {
      const tried = this.reattachAttempts.get(placement.launchId);
      if (this.launches.has(placement.launchId) || (tried !== undefined && now - tried < interval)) continue;
      placements.set(placement.launchId, placement);
    }
    for (const launchId of placements.keys()) this.reattachAttempts.set(launchId, now);
    await Promise.all(
      [...placements.values()].map(async (placement) => {
        try {
          await this.track(store, await connect(placement.context), placement);
        } catch (error) {
          this.options.onError(placement, error);
        }
      }),
    );
  }

  /** Whether a tracker of this window follows the run's launch, or is starting to. */
  follows(runId: string): boolean {
    return this.launchOfRun.has(runId);
  }

  /** Whether this window's tracker follows the run now (its log then comes through `onLog`). */
  isTracking(runId: string): boolean {
    const launchId = this.launchOfRun.get(runId);
    return launchId !== undefined && this.launches.get(launchId)?.tracking !== undefined;
  }

  view(runId: string): KubernetesRunView | undefined {
    return this.runViews.get(runId);
  }

  /** Runs of launches made in this window, with their store, for rows the store cannot show yet. */
  launched(): Array<{ store: TrackedStore; run: LaunchedRun; view?: KubernetesRunView }> {
    return [...this.launchedRuns.values()].map((entry) => {
      const view = this.runViews.get(entry.run.id);
      return view ? { ...entry, view } : entry;
    });
  }

  /**
   * The store has indexed these runs: their rows come from the store now. A view is kept while its launch is
   * tracked (it refines the store's "running"); after that the store's end record says it all.
   */
  indexed(runIds: Iterable<string>): void {
    for (const runId of runIds) {
      this.launchedRuns.delete(runId);
      if (!this.launchOfRun.has(runId)) this.runViews.delete(runId);
    }
  }

  /** The connection of the tracker following the run's launch, to cancel it on the same cluster. */
  connectionOf(runId: string): KubernetesConnection | undefined {
    const launchId = this.launchOfRun.get(runId);
    return launchId === undefined ? undefined : this.launches.get(launchId)?.connection;
  }

  /** Calls `listener` with each piece of the run's log the tracker copies; returns the unsubscribe. */
  onLog(runId: string, listener: (text: string) => void): () => void {
    const listeners = this.logListeners.get(runId) ?? new Set();
    listeners.add(listener);
    this.logListeners.set(runId, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.logListeners.delete(runId);
    };
  }

  dispose(): void {
    this.disposed = true;
    for (const launch of this.launches.values()) launch.tracking?.stop();
    this.launches.clear();
    this.logListeners.clear();
  }

  private takeViews(views: readonly KubernetesRunView[]): void {
    for (const view of views) this.runViews.set(view.runId, view);
    if (views.length > 0) this.options.onChange();
  }

  private forget(launchId: string): void {
    const launch = this.launches.get(launchId);
    if (!launch) return;
    this.launches.delete(launchId);
    for (const runId of launch.placement.runIds) if (this.launchOfRun.get(runId) === launchId) this.launchOfRun.delete(runId);
  }
}
