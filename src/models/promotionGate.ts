// Whether a version may be promoted to production. Pure, so the extension's views can show the verdict ahead.
import { get } from '../platform/dictionary.ts';
import { formatMetricValue } from '../platform/format.ts';

export type MetricGoal = 'max' | 'min';
export const METRIC_GOALS: readonly MetricGoal[] = ['max', 'min'];

export interface GateRule {
  metric: string;
  goal: MetricGoal;
  minDelta: number;
}

export interface GateCandidate {
  version: number;
  metrics: Record<string, number>;
}

export interface GateDecision {
  allowed: boolean;
  /** One sentence naming the values compared. */
  reason: string;
  candidateValue?: number;
  productionValue?: number;
}

/**
 * max: candidate - production >= minDelta; min: production - candidate >= minDelta. Allowed when nothing is in
 * production; refused when either version lacks the metric (or has NaN), since then nothing can be compared.
 */
export function checkPromotionGate(rule: GateRule, candidate: GateCandidate, production: GateCandidate | undefined): GateDecision {
  const { metric, goal, minDelta } = rule;
  if (production !== undefined && production.version === candidate.version) {
    return { allowed: false, reason: `version ${candidate.version} is already in production` };
  }
  const candidateValue = comparable(candidate, metric);
  if (candidateValue === undefined) {
    return { allowed: false, reason: `version ${candidate.version} has no value of "${metric}", the metric that gates production` };
  }
  if (production === undefined) return { allowed: true, reason: 'no version is in production', candidateValue };
  const productionValue = comparable(production, metric);
  if (productionValue === undefined) {
    return { allowed: false, reason: `production version ${production.version} has no value of "${metric}" to compare with`, candidateValue };
  }
  const gain = goal === 'max' ? candidateValue - productionValue : productionValue - candidateValue;
  // Differences of decimals carry rounding error: 0.7 - 0.6 is 0.09999…, which must still pass a minDelta of 0.1.
  const tolerance = 8 * Number.EPSILON * Math.max(1, Math.abs(candidateValue), Math.abs(productionValue));
  const allowed = gain + tolerance >= minDelta;
  const values = `${metric} ${formatMetricValue(candidateValue)} (version ${candidate.version}) vs ${formatMetricValue(productionValue)} (production, version ${production.version})`;
  const requirement = `${goal === 'max' ? 'higher' : 'lower'} by at least ${formatMetricValue(minDelta)}`;
  const reason = allowed ? `${values}: ${requirement}` : `${values}: not ${requirement}`;
  return { allowed, reason, candidateValue, productionValue };
}

function comparable(version: GateCandidate, metric: string): number | undefined {
  const value = get(version.metrics, metric);
  return value === undefined || Number.isNaN(value) ? undefined : value;
}
