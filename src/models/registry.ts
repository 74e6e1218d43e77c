import os from 'node:os';
import { MissingPathError } from '../datasets/fileListing.ts';
import { has, put } from '../platform/dictionary.ts';
import { encodeJsonNumber } from '../platform/jsonNumbers.ts';
import type { RunSummary } from '../runs/runSummary.ts';
import { type ArtifactHash, type HashOptions, hashArtifact, recordedArtifactPath, resolveArtifactPath } from './artifactCheck.ts';
import type { ModelConfig } from './modelConfig.ts';
import { type ModelState, type ModelVersion, type Stage, type StageRecord, type VersionRecord, findVersion, isValidModelName } from './modelRecords.ts';
import { changeModel } from './modelStore.ts';
import { type GateDecision, checkPromotionGate } from './promotionGate.ts';

/** Who a record says made a change: $MLTRAIL_USER when set, else the login name. */
function currentUser(): string {
  const override = process.env.MLTRAIL_USER;
  if (override) return override;
  try {
    return os.userInfo().username;
  } catch {
    // A container user without a passwd entry has no login name.
    return process.env.USER ?? 'unknown';
  }
}

interface Stamp {
  time: string;
  user: string;
}

function stamp(): Stamp {
  return { time: new Date().toISOString(), user: currentUser() };
}

export interface RegisterOptions extends HashOptions {
  storeDir: string;
  /** The workspace folder: relative artifact paths start here. */
  folder: string;
  model: ModelConfig;
  run: RunSummary;
  /** The artifact, a file or a directory; the model's configured `path` when left out. */
  artifactPath?: string;
}

/**
 * Registers the artifact as the model's next version: records its hash and the run's metrics, input datasets and
 * git commit. Copies nothing. Throws, recording nothing, when the artifact does not exist.
 */
export async function registerModelVersion(options: RegisterOptions): Promise<ModelVersion> {
  const { storeDir, folder, model, run } = options;
  const given = options.artifactPath ?? model.path;
  if (given === undefined) throw new Error(`model "${model.name}" declares no "path" in mltrail.json: name the artifact to register`);
  const absolutePath = resolveArtifactPath(folder, given);
  // Hashing a large artifact takes a while: it is done before taking the lock, which only numbers and appends.
  let artifact: ArtifactHash;
  try {
    artifact = await hashArtifact(storeDir, absolutePath, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (error) {
    if (error instanceof MissingPathError) throw new Error(`the artifact ${absolutePath} of model "${model.name}" does not exist; nothing was registered`);
    throw error;
  }
  const metrics: Record<string, number> = {};
  for (const [name, summary] of Object.entries(run.metrics)) put(metrics, name, summary.last);
  const { time, user } = stamp();
  return changeModel(storeDir, model.name, (state) => {
    const registered: ModelVersion = {
      version: (state.versions.at(-1)?.version ?? 0) + 1,
      run: run.id,
      path: recordedArtifactPath(folder, absolutePath),
      hash: artifact.hash,
      size: artifact.size,
      metrics,
      datasets: run.inputs ?? [],
      ...(run.git ? { git: run.git } : {}),
      time: Date.parse(time),
      user,
      stage: 'none',
      aliases: [],
    };
    return { records: [versionRecord(registered, time)], result: registered };
  });
}

function versionRecord(version: ModelVersion, time: string): VersionRecord {
  const metrics: VersionRecord['metrics'] = {};
  for (const [name, value] of Object.entries(version.metrics)) put(metrics, name, encodeJsonNumber(value));
  const { run, path, hash, size, datasets, git, user } = version;
  return { type: 'version', version: version.version, run, path, hash, size, metrics, datasets, ...(git ? { git } : {}), time, user };
}

export interface PromoteOptions {
  storeDir: string;
  model: ModelConfig;
  version: number;
  stage: Stage;
  /** Promote to production although the gate refuses; needs a `reason`. */
  force?: boolean;
  reason?: string;
}

export interface PromotionResult {
  model: string;
  version: number;
  stage: Stage;
  /** The stage the version had before. */
  from: Stage;
  /** False when the gate refused and nothing was recorded. */
  promoted: boolean;
  /** True when the gate refused and `force` overrode it. */
  forced: boolean;
  /** The gate's verdict, for promotions to production. */
  gate?: GateDecision;
  /** The version that was in production and was archived by this promotion. */
  archived?: number;
}

/**
 * Moves a version to a stage. A promotion to production passes the gate (or is forced, with a reason) and archives
 * the version in production before it; the gate's refusal is a result with `promoted: false`, not an error.
 */
export function promoteModelVersion(options: PromoteOptions): Promise<PromotionResult> {
  const { storeDir, model, version, stage } = options;
  const reason = options.reason?.trim() || undefined;
  if (options.force && reason === undefined) return Promise.reject(new Error('forcing a promotion needs a reason'));
  return changeModel(storeDir, model.name, (state) => {
    const target = requireVersion(state, version);
    if (target.stage === stage) throw new Error(`version ${version} of model "${model.name}" is already in ${stage}`);
    const now = stamp();
    const result: PromotionResult = { model: model.name, version, stage, from: target.stage, promoted: true, forced: false };
    if (stage !== 'production') return { records: [stageRecord(version, stage, now, { reason, forced: false })], result };
    const production = state.production === undefined ? undefined : findVersion(state, state.production);
    result.gate = checkPromotionGate(model, target, production);
    if (!result.gate.allowed && !options.force) return { records: [], result: { ...result, promoted: false } };
    result.forced = !result.gate.allowed;
    const change = toProduction(state, version, now, { reason, forced: result.forced });
    if (change.archived !== undefined) result.archived = change.archived;
    return { records: change.records, result };
  });
}

/**
 * Puts back in production the version most recently replaced there, in one step recorded with reason "rollback".
 * Not gated: going back is the point.
 */
export function rollbackModel(storeDir: string, name: string): Promise<PromotionResult> {
  return changeModel(storeDir, name, (state) => {
    const target = state.rollbackTarget;
    if (target === undefined) throw new Error(`model "${name}" has nothing to roll back to: no version was ever replaced in production`);
    const from = requireVersion(state, target).stage;
    const change = toProduction(state, target, stamp(), { reason: 'rollback', forced: false });
    const result: PromotionResult = { model: name, version: target, stage: 'production', from, promoted: true, forced: false };
    if (change.archived !== undefined) result.archived = change.archived;
    return { records: change.records, result };
  });
}

/** Points a free-form alias ("champion") at a version, moving it from any other; a null version removes it. */
export function setModelAlias(storeDir: string, name: string, alias: string, version: number | null): Promise<void> {
  if (!isValidModelName(alias)) return Promise.reject(new Error(`Invalid alias "${alias}": use letters, digits, ".", "_" and "-".`));
  return changeModel(storeDir, name, (state) => {
    if (version !== null) requireVersion(state, version);
    else if (!has(state.aliases, alias)) throw new Error(`model "${name}" has no alias "${alias}"`);
    return { records: [{ type: 'alias', alias, version, ...stamp() }], result: undefined };
  });
}

function requireVersion(state: ModelState, version: number): ModelVersion {
  const found = findVersion(state, version);
  if (found) return found;
  const known = state.versions.length === 0 ? 'it has no versions' : `its versions are 1 to ${state.versions.at(-1)?.version}`;
  throw new Error(`model "${state.name}" has no version ${version}: ${known}`);
}

function stageRecord(version: number, stage: Stage, at: Stamp, details: { reason: string | undefined; forced: boolean; replacedBy?: number }): StageRecord {
  const { reason, forced, replacedBy } = details;
  return { type: 'stage', version, stage, ...at, ...(reason === undefined ? {} : { reason }), forced, ...(replacedBy === undefined ? {} : { replacedBy }) };
}

/** The records that put `version` in production: the current production version archived first, so one is ever there. */
function toProduction(state: ModelState, version: number, at: Stamp, details: { reason: string | undefined; forced: boolean }): { records: StageRecord[]; archived?: number } {
  const promotion = stageRecord(version, 'production', at, details);
  const archived = state.production;
  if (archived === undefined) return { records: [promotion] };
  const archiveReason = details.reason === 'rollback' ? 'rollback' : `replaced by version ${version}`;
  return { records: [stageRecord(archived, 'archived', at, { reason: archiveReason, forced: false, replacedBy: version }), promotion], archived };
}
