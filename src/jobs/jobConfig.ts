import fs from 'node:fs';
import { put } from '../platform/dictionary.ts';
import type { ConfigProblem, WorkspaceConfig } from '../store/config.ts';

export type ParamValue = unknown;
export type ParamSet = Record<string, ParamValue>;

/**
 * A job declared in mltrail.json `"jobs"`. `resources` and `kubernetes` are passed through as written: the
 * Kubernetes runner validates them.
 */
export interface JobDefinition {
  name: string;
  /** The argv, `{param}` placeholders not yet substituted. */
  command: string[];
  script?: string;
  params: ParamSet;
  /** Values to sweep, by param name, in the order written. */
  sweep: Record<string, ParamValue[]>;
  env: Record<string, string>;
  experiment?: string;
  /** Dataset names the job reads: each run records the latest version of each as an input. */
  inputs: string[];
  resources?: Record<string, unknown>;
  kubernetes?: Record<string, unknown>;
  /** Made up for a script no job declares (`scriptJob`): its runs are tagged with the script, apart from declared jobs. */
  adHoc?: true;
}

export interface JobDefinitions {
  jobs: JobDefinition[];
  problems: ConfigProblem[];
}

const JOB_NAME = /^[A-Za-z0-9._-]+$/;

/** The valid entries of `raw.jobs`; what is wrong is reported with its line in mltrail.json and the job left out. */
export function parseJobDefinitions(config: WorkspaceConfig): JobDefinitions {
  const result: JobDefinitions = { jobs: [], problems: [] };
  const declared = config.raw.jobs;
  if (declared === undefined) return result;
  const text = readOrEmpty(config.configFile);
  const lineOf = (keys: readonly string[]) => lineOfKeys(text, keys);
  if (!isObject(declared)) {
    result.problems.push({ line: lineOf(['jobs']), message: '"jobs" must map job names to {"command": [...], "params": {...}, ...}' });
    return result;
  }
  for (const [name, entry] of Object.entries(declared)) {
    const problems: string[] = [];
    if (!JOB_NAME.test(name)) {
      problems.push('a job name may hold letters, digits, ".", "_" and "-" only; job ignored');
    } else {
      const job = parseJob(name, entry, problems);
      if (job) result.jobs.push(job);
    }
    for (const message of problems) result.problems.push({ line: lineOf(['jobs', name]), message: `"jobs"."${name}": ${message}` });
  }
  return result;
}

/** The job, or undefined (with why in `problems`) when it cannot run; lesser mistakes are reported and skipped. */
function parseJob(name: string, entry: unknown, problems: string[]): JobDefinition | undefined {
  if (!isObject(entry)) {
    problems.push('must be an object {"command": [...], "params": {...}, ...}; job ignored');
    return undefined;
  }
  const script = optionalString(entry, 'script', problems);
  const command = parseCommand(entry.command, script, problems);
  if (!command) return undefined;
  const job: JobDefinition = {
    name,
    command,
    params: optionalObject(entry, 'params', problems) ?? {},
    sweep: parseSweep(entry.sweep, problems),
    env: parseEnv(entry.env, problems),
    inputs: parseInputs(entry.inputs, problems),
  };
  if (script !== undefined) job.script = script;
  const experiment = optionalString(entry, 'experiment', problems);
  if (experiment !== undefined) job.experiment = experiment;
  const resources = optionalObject(entry, 'resources', problems);
  if (resources) job.resources = resources;
  const kubernetes = optionalObject(entry, 'kubernetes', problems);
  if (kubernetes) job.kubernetes = kubernetes;
  return job;
}

/**
 * A job for a script no job declares (`mltrail run --script FILE`, the CodeLens on a plain training script): named
 * after the file, run by its interpreter, no params.
 */
export function scriptJob(script: string): JobDefinition {
  const stem = script.replace(/\\/g, '/').split('/').pop()!.replace(/\.[^.]*$/, '');
  const name = stem.replace(/[^A-Za-z0-9._-]/g, '-') || 'script';
  return { name, script, command: commandForScript(script), params: {}, sweep: {}, env: {}, inputs: [], adHoc: true };
}

/** `command` as an argv; without one, the script run by its interpreter (`.py` python, `.sh` bash) or itself. */
function parseCommand(value: unknown, script: string | undefined, problems: string[]): string[] | undefined {
  if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string')) return value as string[];
  if (value !== undefined) {
    problems.push('"command" must be a non-empty array of strings (no shell: one string per argument); job ignored');
    return undefined;
  }
  if (script === undefined) {
    problems.push('needs a "command" (an array of strings) or a "script"; job ignored');
    return undefined;
  }
  return commandForScript(script);
}

function commandForScript(script: string): string[] {
  if (script.endsWith('.py')) return ['python', script];
  if (script.endsWith('.sh')) return ['bash', script];
  return [script];
}

function parseSweep(value: unknown, problems: string[]): Record<string, ParamValue[]> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('"sweep" must map param names to lists of values; ignored');
    return {};
  }
  const sweep: Record<string, ParamValue[]> = {};
  for (const [param, values] of Object.entries(value)) {
    if (Array.isArray(values) && values.length > 0) put(sweep, param, values);
    else problems.push(`"sweep"."${param}" must be a non-empty list of values; ignored`);
  }
  return sweep;
}

function parseEnv(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('"env" must map variable names to strings; ignored');
    return {};
  }
  const env: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') put(env, key, String(entry));
    else problems.push(`"env"."${key}" must be a string; ignored`);
  }
  return env;
}

function parseInputs(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0)) return value as string[];
  problems.push('"inputs" must be a list of dataset names; ignored');
  return [];
}

function optionalString(entry: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  problems.push(`"${key}" must be a non-empty string; ignored`);
  return undefined;
}

function optionalObject(entry: Record<string, unknown>, key: string, problems: string[]): Record<string, unknown> | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (isObject(value)) return value;
  problems.push(`"${key}" must be an object; ignored`);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The 1-based line of the last of `keys`, each searched after the one before it. */
function lineOfKeys(text: string, keys: readonly string[]): number {
  let index = 0;
  for (const key of keys) {
    const found = text.indexOf(JSON.stringify(key), index);
    if (found < 0) break;
    index = found;
  }
  return text.slice(0, index).split('\n').length;
}
