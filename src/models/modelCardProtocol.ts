// The message contract of the model card webview, imported by both sides (webviews/models/). No Node or DOM APIs.
import type { DatasetInput, GitInfo } from '../runs/records.ts';
import type { Stage, StageChange } from './modelRecords.ts';

export interface ModelCardVersion {
  version: number;
  stage: Stage;
  aliases: string[];
  run: string;
  runName?: string;
  path: string;
  hash: string;
  size: number;
  /** Non-finite values as strings (JSON). */
  metrics: Record<string, number | string>;
  params: Record<string, unknown>;
  datasets: DatasetInput[];
  git?: GitInfo;
  time: number;
  user: string;
  artifact?: { status: 'ok' | 'changed' | 'missing' | 'unreadable'; hash?: string; error?: string };
}

export interface ModelCard {
  model: string;
  metric?: string;
  goal?: 'max' | 'min';
  minDelta?: number;
  production?: number;
  rollbackTarget?: number;
  version: ModelCardVersion;
  /** This version's stage changes, oldest first: the audit trail. */
  history: StageChange[];
}

/** `state` is what the webview keeps, so the tab comes back after a window reload. */
export type ToModelCard = { type: 'card'; card: ModelCard; state: ModelCardState } | { type: 'gone'; message: string };

export type FromModelCard = { type: 'ready' } | { type: 'promote' } | { type: 'rollback' } | { type: 'openRun' };

export function isFromModelCard(value: unknown): value is FromModelCard {
  if (value === null || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'promote' || type === 'rollback' || type === 'openRun';
}

export interface ModelCardState {
  storeDir: string;
  model: string;
  version: number;
}
