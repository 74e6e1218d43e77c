import { merge, put } from '../platform/dictionary.ts';
import type { JobDefinition, ParamSet, ParamValue } from './jobConfig.ts';

/** One run of a job: its params (defaults, then a sweep point, then overrides) and the command they fill in. */
export interface JobRunPlan {
  job: string;
  /** The sweep point this run is, 0 without a sweep. */
  index: number;
  params: ParamSet;
  command: string[];
  /** `train`, or `train lr=0.01` for a point of a sweep. */
  name: string;
}

/**
 * `k=v` from `--param`: the value is read as JSON when it is JSON (`0.01` stays a number, `true` a boolean,
 * `[1,2]` a list) and as a string otherwise (`adam`).
 */
export function parseParamOverride(text: string): [string, ParamValue] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new Error(`--param "${text}" must be NAME=VALUE`);
  const raw = text.slice(equals + 1);
  let value: ParamValue = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: a plain string.
  }
  return [text.slice(0, equals), value];
}

/**
 * The cross product of the sweep's values, the first swept param varying slowest: `{a: [1, 2], b: [x, y]}` gives
 * a=1 b=x, a=1 b=y, a=2 b=x, a=2 b=y. One empty point without a sweep.
 */
export function expandSweep(sweep: Record<string, ParamValue[]>): ParamSet[] {
  let points: ParamSet[] = [{}];
  for (const [param, values] of Object.entries(sweep)) {
    points = points.flatMap((point) =>
      values.map((value) => {
        const next = { ...point };
        put(next, param, value);
        return next;
      }),
    );
  }
  return points;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/**
 * Fills `{name}` in each argument with the param's value: strings as they are, anything else as JSON. Only
 * identifier-like names are placeholders, so JSON written into an argument is left alone.
 */
export function substituteCommand(job: string, command: readonly string[], params: ParamSet): string[] {
  return command.map((argument) =>
    argument.replace(PLACEHOLDER, (_match, name: string) => {
      if (!Object.hasOwn(params, name)) {
        throw new Error(`job "${job}": the command uses {${name}}, which is not a param (params: ${Object.keys(params).join(', ') || 'none'})`);
      }
      const value = params[name];
      return typeof value === 'string' ? value : JSON.stringify(value);
    }),
  );
}

/** The runs `mltrail run JOB` starts: every sweep point, or only `index` when given. */
export function planJobRuns(job: JobDefinition, overrides: ParamSet = {}, index?: number): JobRunPlan[] {
  const points = expandSweep(job.sweep);
  if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= points.length)) {
    throw new Error(`job "${job.name}" has ${points.length} sweep point${points.length === 1 ? '' : 's'}: the index must be 0 to ${points.length - 1}`);
  }
  const selected = index === undefined ? points.map((point, at) => [point, at] as const) : [[points[index] as ParamSet, index] as const];
  return selected.map(([point, at]) => {
    const params = merge(merge(merge({}, job.params), point), overrides);
    const swept = Object.keys(point).map((name) => `${name}=${formatValue(params[name])}`);
    return {
      job: job.name,
      index: at,
      params,
      command: substituteCommand(job.name, job.command, params),
      name: swept.length > 0 ? `${job.name} ${swept.join(' ')}` : job.name,
    };
  });
}

function formatValue(value: ParamValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
