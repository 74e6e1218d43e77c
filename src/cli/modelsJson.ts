// The JSON shapes the model commands print (documented in docs/models.md): stable field names, null for what is
// absent, NaN and infinities as strings.
import type { ArtifactCheck } from '../models/artifactCheck.ts';
import type { ModelConfig } from '../models/modelConfig.ts';
import type { ModelState, ModelVersion, StageChange } from '../models/modelRecords.ts';
import type { PromotionResult } from '../models/registry.ts';
import { put } from '../platform/dictionary.ts';
import { type JsonNumber, encodeJsonNumber } from '../platform/jsonNumbers.ts';

function isoTime(time: number): string {
  return new Date(time).toISOString();
}

/** The documented JSON shape of a version (docs/models.md). */
export function versionToJson(version: ModelVersion, artifact: Omit<ArtifactCheck, 'path'> | undefined): Record<string, unknown> {
  const metrics: Record<string, JsonNumber> = {};
  for (const [name, value] of Object.entries(version.metrics)) put(metrics, name, encodeJsonNumber(value));
  return {
    version: version.version,
    stage: version.stage,
    aliases: version.aliases,
    run: version.run,
    path: version.path,
    hash: version.hash,
    size: version.size,
    metrics,
    datasets: version.datasets,
    git: version.git ?? null,
    time: isoTime(version.time),
    user: version.user,
    artifact: artifact === undefined ? null : { status: artifact.status, hash: artifact.hash ?? null, size: artifact.size ?? null, ...(artifact.error ? { error: artifact.error } : {}) },
  };
}

function changeToJson(change: StageChange): Record<string, unknown> {
  return {
    version: change.version,
    stage: change.stage,
    from: change.from,
    time: isoTime(change.time),
    user: change.user,
    reason: change.reason ?? null,
    forced: change.forced,
    replacedBy: change.replacedBy ?? null,
  };
}

export function promotionToJson(result: PromotionResult): Record<string, unknown> {
  const { gate } = result;
  return {
    model: result.model,
    version: result.version,
    stage: result.stage,
    from: result.from,
    promoted: result.promoted,
    forced: result.forced,
    archived: result.archived ?? null,
    gate: gate === undefined ? null : {
      allowed: gate.allowed,
      reason: gate.reason,
      candidate: gate.candidateValue === undefined ? null : encodeJsonNumber(gate.candidateValue),
      production: gate.productionValue === undefined ? null : encodeJsonNumber(gate.productionValue),
    },
  };
}

export function modelToJson(config: ModelConfig | undefined, state: ModelState, checks: readonly ArtifactCheck[]): Record<string, unknown> {
  return {
    name: state.name,
    declared: config !== undefined,
    path: config?.path ?? null,
    metric: config?.metric ?? null,
    goal: config?.goal ?? null,
    minDelta: config?.minDelta ?? null,
    production: state.production ?? null,
    rollbackTarget: state.rollbackTarget ?? null,
    aliases: state.aliases,
    versions: state.versions.map((version, index) => versionToJson(version, checks[index])),
    history: state.history.map(changeToJson),
  };
}

