import path from 'node:path';
import * as vscode from 'vscode';
import { runDir } from '../../store/layout.ts';
import type { FolderStore } from '../../workspace/editor/folderStore.ts';
import type { WorkspaceStores } from '../../workspace/editor/workspaceStores.ts';
import { LOGS_FILE } from '../jobFiles.ts';
import type { KubernetesTrackers } from './kubernetesTrackers.ts';
import { LogTail } from '../logTail.ts';

/** What `text` keeps of each channel's content: enough to check the end of a log. */
const KEPT_CHARS = 256 * 1024;
/** An output channel holds text in memory: of a larger log it shows the end, and says where the rest is. */
const SHOWN_BYTES = 2 * 1024 * 1024;

interface OpenLog {
  store: FolderStore;
  runId: string;
  channel: vscode.OutputChannel;
  /** Follows logs.txt while the run goes and no tracker of this window passes its log on. */
  tail: LogTail;
  following: boolean;
  unsubscribe?: () => void;
  recent: string;
}

/**
 * One output channel per job run ("MLTrail: <run name>"): logs.txt so far (its last 2 MiB), then what the run
 * writes, from the Kubernetes tracker as it copies the pod's log, else by following logs.txt until the run ends.
 * Showing a run again reuses its channel.
 */
export class JobLogChannels implements vscode.Disposable {
  private readonly logs = new Map<string, OpenLog>();
  private readonly trackers: KubernetesTrackers;
  private readonly subscription: vscode.Disposable;

  constructor(stores: WorkspaceStores, trackers: KubernetesTrackers) {
    this.trackers = trackers;
    this.subscription = stores.onDidChangeRuns(({ store, change }) => {
      for (const runId of [...change.added, ...change.updated, ...change.removed]) {
        const log = this.logs.get(logKey(store, runId));
        if (log?.following && store.findRun(runId)?.status !== 'running') this.stopFollowing(log);
      }
    });
  }

  show(store: FolderStore, runId: string, name: string): void {
    const key = logKey(store, runId);
    const existing = this.logs.get(key);
    if (existing) {
      existing.channel.show(true);
      return;
    }
    const title = `MLTrail: ${name}`;
    const taken = [...this.logs.values()].some((log) => log.channel.name === title);
    const channel = vscode.window.createOutputChannel(taken ? `${title} (${runId})` : title, 'log');
    const file = path.join(runDir(store.config.storeDir, runId), LOGS_FILE);
    const log: OpenLog = { store, runId, channel, following: false, recent: '', tail: new LogTail(file, (text) => this.append(log, text)) };
    this.logs.set(key, log);
    try {
      const skipped = log.tail.skipAllButLast(SHOWN_BYTES);
      if (skipped > 0) {
        channel.appendLine(`MLTrail: the first ${megabytes(skipped)} of the log are left out here; the whole log is in ${file}`);
        void vscode.window.showInformationMessage(`MLTrail: the log of ${name} is ${megabytes(skipped + SHOWN_BYTES)}: its channel shows the last 2 MiB.`, 'Open logs.txt').then((choice) => {
          if (choice) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
        });
      }
      log.tail.readNow();
    } catch (error) {
      channel.appendLine(`MLTrail: cannot read ${LOGS_FILE}: ${(error as Error).message}`);
    }
    if (this.trackers.isTracking(runId)) {
      log.unsubscribe = this.trackers.onLog(runId, (text) => this.append(log, text));
    } else if ((store.findRun(runId)?.status ?? 'running') === 'running') {
      log.following = true;
      log.tail.follow();
    }
    channel.show(true);
  }

  /**
   * A tracker started or stopped: a channel whose tracker is gone stops listening to it, and follows logs.txt
   * from its end while the run goes on (another process may follow the run now).
   */
  trackingChanged(): void {
    for (const log of this.logs.values()) {
      if (!log.unsubscribe || this.trackers.isTracking(log.runId)) continue;
      log.unsubscribe();
      delete log.unsubscribe;
      if (log.store.findRun(log.runId)?.status === 'running') {
        log.tail.skipToEnd();
        log.following = true;
        log.tail.follow();
      }
    }
  }

  /** The end of what a run's channel shows (up to 256 KiB), or undefined when its logs were never shown. */
  text(store: FolderStore, runId: string): string | undefined {
    return this.logs.get(logKey(store, runId))?.recent;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const log of this.logs.values()) {
      log.unsubscribe?.();
      if (log.following) log.tail.stop();
      log.channel.dispose();
    }
    this.logs.clear();
  }

  private append(log: OpenLog, text: string): void {
    log.channel.append(text);
    log.recent = (log.recent + text).slice(-KEPT_CHARS);
  }

  private stopFollowing(log: OpenLog): void {
    log.following = false;
    log.tail.stop();
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function logKey(store: FolderStore, runId: string): string {
  return `${store.folder.uri.toString()}\u0000${runId}`;
}
