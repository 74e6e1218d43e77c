import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform/atomicFile.ts';
import type { ExternalSourceKind } from '../sources/externalSource.ts';
import { CONFIG_FILE, DEFAULT_STORE_DIR } from './layout.ts';

export const CONFIG_VERSION = 1;

/** A workspace folder's `mltrail.json`, read leniently: what is wrong is reported and the default is used. */
export interface WorkspaceConfig {
  folder: string;
  configFile: string;
  hasConfigFile: boolean;
  /** Absolute path of the store (`store` in mltrail.json, relative to the folder; `.mltrail` by default). */
  storeDir: string;
  /** The metric shown next to each run; by default each run's first metric. */
  keyMetric?: string;
  /** Other trackers' runs to show, from `sources` (paths made absolute); the valid entries only. */
  sources: ConfiguredSource[];
  /** The file as parsed, unknown keys included, so a later writer can keep them. */
  raw: Record<string, unknown>;
  problems: ConfigProblem[];
}

export interface ConfiguredSource {
  type: ExternalSourceKind;
  /** Absolute. */
  path: string;
}

const SOURCE_TYPES: readonly ExternalSourceKind[] = ['mlflow', 'dvclive'];

export interface ConfigProblem {
  line: number;
  message: string;
}

export function loadWorkspaceConfig(folder: string): WorkspaceConfig {
  const configFile = path.join(folder, CONFIG_FILE);
  const config: WorkspaceConfig = {
    folder,
    configFile,
    hasConfigFile: false,
    storeDir: path.join(folder, DEFAULT_STORE_DIR),
    sources: [],
    raw: {},
    problems: [],
  };
  let text: string;
  try {
    text = fs.readFileSync(configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return config;
    config.problems.push({ line: 1, message: `Cannot read ${CONFIG_FILE}: ${(error as Error).message}` });
    return config;
  }
  config.hasConfigFile = true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    config.problems.push({ line: jsonErrorLine(message, text), message: `${CONFIG_FILE} is not valid JSON: ${message}` });
    return config;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    config.problems.push({ line: 1, message: `${CONFIG_FILE} must hold a JSON object` });
    return config;
  }
  const raw = parsed as Record<string, unknown>;
  config.raw = raw;
  if (typeof raw.version === 'number' && raw.version > CONFIG_VERSION) {
    config.problems.push({
      line: lineOfKey(text, 'version'),
      message: `${CONFIG_FILE} is format version ${raw.version}; this MLTrail reads version ${CONFIG_VERSION} and ignores what it does not know`,
    });
  }
  if (raw.store !== undefined) {
    if (typeof raw.store === 'string' && raw.store.trim().length > 0) config.storeDir = path.resolve(folder, raw.store);
    else config.problems.push({ line: lineOfKey(text, 'store'), message: '"store" must be a non-empty path; using .mltrail' });
  }
  if (raw.keyMetric !== undefined) {
    if (typeof raw.keyMetric === 'string' && raw.keyMetric.length > 0) config.keyMetric = raw.keyMetric;
    else config.problems.push({ line: lineOfKey(text, 'keyMetric'), message: '"keyMetric" must be a metric name' });
  }
  if (raw.sources !== undefined) config.sources = parseSources(raw.sources, folder, lineOfKey(text, 'sources'), config.problems);
  return config;
}

/** `"sources": [{"type": "mlflow" | "dvclive", "path": "..."}]`; an entry that is not valid is reported and left out. */
function parseSources(value: unknown, folder: string, line: number, problems: ConfigProblem[]): ConfiguredSource[] {
  if (!Array.isArray(value)) {
    problems.push({ line, message: '"sources" must be a list of {"type": "mlflow" | "dvclive", "path": "..."}' });
    return [];
  }
  const sources: ConfiguredSource[] = [];
  value.forEach((entry: unknown, index) => {
    const where = `"sources"[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ line, message: `${where} must be an object {"type": ..., "path": ...}; entry ignored` });
      return;
    }
    const { type, path: sourcePath } = entry as Record<string, unknown>;
    if (!SOURCE_TYPES.includes(type as ExternalSourceKind)) {
      problems.push({ line, message: `${where}.type must be ${SOURCE_TYPES.map((kind) => `"${kind}"`).join(' or ')}; entry ignored` });
    } else if (typeof sourcePath !== 'string' || sourcePath.trim().length === 0) {
      problems.push({ line, message: `${where}.path must be a non-empty path; entry ignored` });
    } else {
      sources.push({ type: type as ExternalSourceKind, path: path.resolve(folder, sourcePath) });
    }
  });
  return sources;
}

/** Writes a starter mltrail.json and the empty store it names. Refuses to overwrite an existing file. */
export function createStarterConfig(folder: string): string {
  const configFile = path.join(folder, CONFIG_FILE);
  if (fs.existsSync(configFile)) throw new Error(`${configFile} already exists`);
  const starter = { version: CONFIG_VERSION, store: DEFAULT_STORE_DIR, datasets: {}, models: {}, jobs: {} };
  writeFileAtomic(configFile, JSON.stringify(starter, null, 2) + '\n');
  fs.mkdirSync(path.join(folder, DEFAULT_STORE_DIR, 'runs'), { recursive: true });
  return configFile;
}

/** V8 reports "... (line 3 column 5)" or "... at position 42"; either becomes a 1-based line. */
function jsonErrorLine(message: string, text: string): number {
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch) return Number(lineMatch[1]);
  const positionMatch = /position (\d+)/.exec(message);
  if (positionMatch) return text.slice(0, Number(positionMatch[1])).split('\n').length;
  return 1;
}

function lineOfKey(text: string, key: string): number {
  const index = text.indexOf(`"${key}"`);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}
