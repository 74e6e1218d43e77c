import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type ArtifactCheck, verifyArtifacts } from '../models/artifactCheck.ts';
import { type ModelConfig, parseModelConfigs } from '../models/modelConfig.ts';
import { type ModelState, STAGES, type Stage } from '../models/modelRecords.ts';
import { listRecordedModels, modelFile, readModel } from '../models/modelStore.ts';
import { type PromotionResult, promoteModelVersion, registerModelVersion, rollbackModel, setModelAlias } from '../models/registry.ts';
import { readSourceRun } from '../models/sourceRun.ts';
import { get } from '../platform/dictionary.ts';
import { formatMetricValue } from '../platform/format.ts';
import { formatRelativeTime } from '../platform/time.ts';
import { loadWorkspaceConfig } from '../store/config.ts';
import { type CliIo, CommandError, UsageError } from './cliIo.ts';
import { modelToJson, promotionToJson, versionToJson } from './modelsJson.ts';
import { resolveStoreDir } from './storeLocation.ts';
import { renderTable } from './table.ts';

export const MODELS_USAGE = `Usage: mltrail models [--json] [--store DIR]

List the models of a store: each version with its stage, aliases, gating metric and run, and whether its
artifact is still the one registered (ok, changed, missing).

  --json       print one JSON array (see docs/models.md)
  --store DIR  the store directory (default: what ./mltrail.json names, else ./.mltrail)
`;

export const MODEL_USAGE = `Usage: mltrail model register NAME --run RUN [--path FILE] [--json] [--store DIR]
       mltrail model promote NAME VERSION --stage S [--force --reason TEXT] [--json] [--store DIR]
       mltrail model rollback NAME [--json] [--store DIR]
       mltrail model alias NAME ALIAS (VERSION | --remove) [--store DIR]

Register, promote and roll back versions of a model declared in mltrail.json "models" (see docs/models.md).

  register     record the artifact (the model's "path", or --path, relative to this folder) as the next
               version, with the hash, metrics, input datasets and git commit of run RUN; copies nothing
  promote      move VERSION to stage S: ${STAGES.join(', ')}. Production is gated on the model's metric;
               a refusal exits with 1 and says why. --force with --reason overrides it, and is recorded
  rollback     put back in production the version most recently replaced there
  alias        point ALIAS (e.g. champion) at VERSION, or remove it
  --json       print the result as JSON
`;

const MAX_PROBLEMS_SHOWN = 20;

interface ModelsContext {
  folder: string;
  storeDir: string;
  declared: ModelConfig[];
}

/** The store and the declared models, with what is wrong in mltrail.json's "models" on stderr. */
function openModels(io: CliIo, storeOption: string | undefined): ModelsContext {
  const storeDir = resolveStoreDir(io, storeOption);
  const config = loadWorkspaceConfig(io.cwd);
  const { models, problems } = parseModelConfigs(config);
  for (const problem of problems) io.err(`${config.configFile}:${problem.line}: ${problem.message}\n`);
  return { folder: io.cwd, storeDir, declared: models };
}

function declaredModel(context: ModelsContext, name: string): ModelConfig {
  const model = context.declared.find((declared) => declared.name === name);
  if (model) return model;
  const names = context.declared.map((declared) => declared.name);
  throw new CommandError(`model "${name}" is not declared in mltrail.json "models"${names.length ? ` (declared: ${names.join(', ')})` : ''}`);
}

function reportProblems(io: CliIo, storeDir: string, state: ModelState): void {
  const file = modelFile(storeDir, state.name);
  for (const problem of state.problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${file}:${problem.line}: ${problem.message} (line skipped)\n`);
  if (state.problems.length > MAX_PROBLEMS_SHOWN) io.err(`… and ${state.problems.length - MAX_PROBLEMS_SHOWN} more malformed lines\n`);
}

interface ListedModel {
  config: ModelConfig | undefined;
  state: ModelState;
  checks: ArtifactCheck[];
}

export async function modelsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { json: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) {
    io.out(MODELS_USAGE);
    return 0;
  }
  requirePositionals(positionals, [], 'models');
  const context = openModels(io, values.store);
  const names = [...new Set([...context.declared.map((model) => model.name), ...listRecordedModels(context.storeDir)])];
  const listed: ListedModel[] = [];
  for (const name of names) {
    const state = readModel(context.storeDir, name);
    reportProblems(io, context.storeDir, state);
    listed.push({ config: context.declared.find((model) => model.name === name), state, checks: await verifyArtifacts(context.storeDir, context.folder, state.versions) });
  }
  if (values.json) {
    io.out(JSON.stringify(listed.map(({ config, state, checks }) => modelToJson(config, state, checks)), null, 2) + '\n');
    return 0;
  }
  if (listed.length === 0) {
    io.out('No models. Declare them in mltrail.json "models" (see docs/models.md).\n');
    return 0;
  }
  io.out(listed.map(renderModel).join('\n'));
  return 0;
}

function renderModel({ config, state, checks }: ListedModel): string {
  const gate = config ? `${config.metric} (${config.goal}, minDelta ${formatMetricValue(config.minDelta)})` : 'not declared in mltrail.json';
  const production = state.production === undefined ? 'none in production' : `production: version ${state.production}`;
  const heading = `${state.name}  ${gate}  ${production}\n`;
  if (state.versions.length === 0) return `${heading}  no versions\n`;
  const now = Date.now();
  const rows = [...state.versions].reverse().map((version) => {
    const value = config ? get(version.metrics, config.metric) : undefined;
    const check = checks[state.versions.indexOf(version)];
    return [
      String(version.version),
      version.stage,
      version.aliases.join(','),
      value === undefined ? '' : formatMetricValue(value),
      version.run,
      formatRelativeTime(version.time, now),
      version.user,
      check?.status ?? '',
    ];
  });
  const table = renderTable(['VERSION', 'STAGE', 'ALIASES', config?.metric.toUpperCase() ?? 'METRIC', 'RUN', 'REGISTERED', 'BY', 'ARTIFACT'], rows);
  return heading + table.replace(/^(?=.)/gm, '  ');
}

export async function modelCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'register':
      return registerCommand(rest, io);
    case 'promote':
      return promoteCommand(rest, io);
    case 'rollback':
      return rollbackCommand(rest, io);
    case 'alias':
      return aliasCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
      io.out(MODEL_USAGE);
      return action === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown model action "${action}" (expected register, promote, rollback or alias)`);
  }
}

async function registerCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { run: { type: 'string' }, path: { type: 'string' }, json: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) return help(io);
  const [name] = requirePositionals(positionals, ['NAME'], 'model register');
  if (values.run === undefined) throw new UsageError('model register needs --run RUN');
  const context = openModels(io, values.store);
  const model = declaredModel(context, name);
  const source = readSourceRun(context.storeDir, values.run);
  for (const problem of source.problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`${source.run.id}/${problem.file}:${problem.line}: ${problem.message} (line skipped)\n`);
  const version = await registerModelVersion({ storeDir: context.storeDir, folder: context.folder, model, run: source.run, ...(values.path === undefined ? {} : { artifactPath: values.path }) });
  if (values.json) {
    io.out(JSON.stringify(versionToJson(version, { status: 'ok', hash: version.hash, size: version.size }), null, 2) + '\n');
  } else {
    io.out(`Registered ${model.name} version ${version.version} from run ${version.run}: ${version.path} (${version.hash})\n`);
  }
  return 0;
}

async function promoteCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { stage: { type: 'string' }, force: { type: 'boolean' }, reason: { type: 'string' }, json: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) return help(io);
  const [name, versionText] = requirePositionals(positionals, ['NAME', 'VERSION'], 'model promote');
  const stage = values.stage as Stage | undefined;
  if (stage === undefined || !STAGES.includes(stage)) throw new UsageError(`model promote needs --stage ${STAGES.join('|')}`);
  if (values.force && !values.reason?.trim()) throw new UsageError('--force needs --reason TEXT: why the gate is overridden');
  const version = parseVersion(versionText);
  const context = openModels(io, values.store);
  const model = declaredModel(context, name);
  const result = await promoteModelVersion({ storeDir: context.storeDir, model, version, stage, force: values.force === true, ...(values.reason === undefined ? {} : { reason: values.reason }) });
  printPromotion(io, result, values.json === true);
  if (result.promoted) return 0;
  io.err(`mltrail: promotion of ${model.name} version ${version} to production refused: ${result.gate?.reason}\n`);
  return 1;
}

async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { json: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) return help(io);
  const [name] = requirePositionals(positionals, ['NAME'], 'model rollback');
  const context = openModels(io, values.store);
  printPromotion(io, await rollbackModel(context.storeDir, name), values.json === true);
  return 0;
}

async function aliasCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { remove: { type: 'boolean' }, store: { type: 'string' } });
  if (values.help) return help(io);
  const [name, alias, ...versionText] = requirePositionals(positionals, values.remove ? ['NAME', 'ALIAS'] : ['NAME', 'ALIAS', 'VERSION'], 'model alias');
  const version = versionText[0] === undefined ? null : parseVersion(versionText[0]);
  const context = openModels(io, values.store);
  await setModelAlias(context.storeDir, name, alias, version);
  io.out(version === null ? `${name}: alias ${alias} removed\n` : `${name}: ${alias} -> version ${version}\n`);
  return 0;
}

function help(io: CliIo): number {
  io.out(MODEL_USAGE);
  return 0;
}

function parseOptions<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** Exactly the positional arguments named. */
function requirePositionals<const Names extends readonly string[]>(positionals: string[], names: Names, command: string): { [K in keyof Names]: string } {
  if (positionals.length < names.length) throw new UsageError(`${command} needs ${names.join(' ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}" for ${command}`);
  return positionals as { [K in keyof Names]: string };
}

function parseVersion(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`VERSION must be a version number (1, 2, ...), not "${text}"`);
  return Number(text);
}

function printPromotion(io: CliIo, result: PromotionResult, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(promotionToJson(result), null, 2) + '\n');
    return;
  }
  if (!result.promoted) return;
  const archived = result.archived === undefined ? '' : `; version ${result.archived} archived`;
  const forced = result.forced ? ' (forced past the gate)' : '';
  io.out(`${result.model} version ${result.version}: ${result.from} -> ${result.stage}${forced}${archived}\n`);
  if (result.gate && !result.forced) io.out(`gate: ${result.gate.reason}\n`);
}
