import fs from 'node:fs';
import type { ConfigProblem, WorkspaceConfig } from '../store/config.ts';
import { isValidModelName } from './modelRecords.ts';
import { METRIC_GOALS, type MetricGoal } from './promotionGate.ts';

/** A model declared in mltrail.json `"models"`, e.g. `"classifier": {"path": "out/model.pt", "metric": "val/acc", "goal": "max"}`. */
export interface ModelConfig {
  name: string;
  /** The artifact (a file or a directory), relative to the workspace folder as written; `--path` may name another. */
  path?: string;
  /** The metric that decides promotions to production, and whether higher or lower is better. */
  metric: string;
  goal: MetricGoal;
  /** A candidate must beat production by at least this much, in the direction of `goal` (default 0: a tie passes). */
  minDelta: number;
}

export interface ModelConfigs {
  models: ModelConfig[];
  problems: ConfigProblem[];
}

/** The valid entries of `raw.models`; what is wrong is reported with its line in mltrail.json and the entry left out. */
export function parseModelConfigs(config: WorkspaceConfig): ModelConfigs {
  const result: ModelConfigs = { models: [], problems: [] };
  const declared = config.raw.models;
  if (declared === undefined) return result;
  const lines = new KeyLines(config.configFile);
  if (declared === null || typeof declared !== 'object' || Array.isArray(declared)) {
    result.problems.push({ line: lines.of(['models']), message: '"models" must be an object: {"<name>": {"path": ..., "metric": ..., "goal": "max" | "min"}}' });
    return result;
  }
  for (const [name, entry] of Object.entries(declared as Record<string, unknown>)) {
    const parsed = isValidModelName(name) ? parseEntry(name, entry) : 'a model name may hold letters, digits, ".", "_" and "-" only';
    if (typeof parsed !== 'string') result.models.push(parsed);
    else result.problems.push({ line: lines.of(['models', name]), message: `"models"."${name}": ${parsed}; model ignored` });
  }
  return result;
}

/** The model, or what is wrong with its entry. */
function parseEntry(name: string, entry: unknown): ModelConfig | string {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return 'must be an object {"path": ..., "metric": ..., "goal": "max" | "min"}';
  const { path, metric, goal, gate } = entry as Record<string, unknown>;
  if (path !== undefined && (typeof path !== 'string' || path.trim().length === 0)) return '"path" must be a non-empty path';
  if (typeof metric !== 'string' || metric.length === 0) return '"metric" must name the metric that gates promotions';
  if (!METRIC_GOALS.includes(goal as MetricGoal)) return '"goal" must be "max" or "min"';
  let minDelta: unknown = 0;
  if (gate !== undefined) {
    if (gate === null || typeof gate !== 'object' || Array.isArray(gate)) return '"gate" must be an object {"minDelta": number}';
    minDelta = (gate as Record<string, unknown>).minDelta ?? 0;
  }
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) return '"gate.minDelta" must be a number';
  return { name, ...(path === undefined ? {} : { path }), metric, goal: goal as MetricGoal, minDelta };
}

/** Finds the line of a nested key in mltrail.json, read only when there is a problem to place. */
class KeyLines {
  private text: string | undefined;
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The line of the last key of `keys`, each searched after the one before it; 1 when not found. */
  of(keys: readonly string[]): number {
    this.text ??= readOrEmpty(this.file);
    let index = 0;
    for (const key of keys) {
      const found = this.text.indexOf(JSON.stringify(key), index);
      if (found < 0) break;
      index = found;
    }
    return this.text.slice(0, index).split('\n').length;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
