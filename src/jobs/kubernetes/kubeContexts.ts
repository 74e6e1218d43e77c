// The user's kubeconfig as kubectl reads it: the files of KUBECONFIG merged (the first file to name a cluster, user
// or context wins, and the first current-context set wins), else ~/.kube/config. With neither, NoKubeconfig: the
// client's own loadFromDefault would silently fall back to http://localhost:8080.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import type { KubernetesConnection } from './kubernetesRun.ts';

export interface KubeconfigSource {
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** an explicit kubeconfig file (setting mltrail.kubernetes.kubeconfig) that replaces KUBECONFIG and ~/.kube/config */
  file?: string;
}

export interface KubeContext {
  name: string;
  cluster: string;
  user: string;
  server?: string;
  namespace?: string;
}

export interface KubeContextList {
  files: string[];
  contexts: KubeContext[];
  current?: string;
}

/** No kubeconfig file exists where one was looked for; the message says where. */
export class NoKubeconfig extends Error {
  override name = 'NoKubeconfig';
}

export async function readKubeContexts(source: KubeconfigSource = {}): Promise<KubeContextList> {
  const { kubeConfig, files } = await loadKubeconfig(source);
  const contexts = kubeConfig.getContexts().map((context): KubeContext => {
    const entry: KubeContext = { name: context.name, cluster: context.cluster, user: context.user };
    const server = kubeConfig.getCluster(context.cluster)?.server;
    if (server) entry.server = server;
    if (context.namespace) entry.namespace = context.namespace;
    return entry;
  });
  const current = kubeConfig.getCurrentContext();
  return current ? { files, contexts, current } : { files, contexts };
}

/** A connection to `context`, or to the current-context when undefined; the context's namespace or "default". */
export async function connectKubernetes(context: string | undefined, source: KubeconfigSource = {}): Promise<KubernetesConnection> {
  const { kubeConfig, files } = await loadKubeconfig(source);
  const names = kubeConfig.getContexts().map((entry) => entry.name);
  const known = names.length > 0 ? `known contexts: ${names.join(', ')}` : 'it defines no context';
  const name = context ?? (kubeConfig.getCurrentContext() || undefined);
  if (name === undefined) throw new Error(`the kubeconfig (${files.join(', ')}) sets no current-context: choose a context (${known})`);
  const entry = kubeConfig.getContextObject(name);
  if (!entry) throw new Error(`context "${name}" is not in the kubeconfig (${files.join(', ')}): ${known}`);
  const cluster = kubeConfig.getCluster(entry.cluster);
  if (!cluster) throw new Error(`context "${name}" names cluster "${entry.cluster}", which the kubeconfig (${files.join(', ')}) does not define`);
  kubeConfig.setCurrentContext(name);
  return { kubeConfig, context: name, namespace: entry.namespace || 'default', server: cluster.server };
}

async function loadKubeconfig(source: KubeconfigSource): Promise<{ kubeConfig: KubeConfig; files: string[] }> {
  const files = kubeconfigFiles(source);
  const { KubeConfig } = await import('./kubernetesClient.ts');
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    const single = new KubeConfig();
    try {
      const text = fs.readFileSync(file, 'utf8');
      // kubectl reads an empty file as an empty config; the client cannot.
      if (text.trim() === '') continue;
      single.loadFromString(text);
      single.makePathsAbsolute(path.dirname(file));
    } catch (error) {
      throw new Error(`cannot read the kubeconfig ${file}: ${(error as Error).message}`, { cause: error });
    }
    for (const cluster of single.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of single.getUsers()) if (!users.has(user.name)) users.set(user.name, user);
    for (const context of single.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context);
    currentContext ||= single.getCurrentContext() || undefined;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
  return { kubeConfig, files };
}

/** The kubeconfig files to read, each existing; throws NoKubeconfig naming what was looked for. */
function kubeconfigFiles(source: KubeconfigSource): string[] {
  if (source.file !== undefined) {
    if (!isFile(source.file)) throw new NoKubeconfig(`no kubeconfig: the file ${source.file} set in mltrail.kubernetes.kubeconfig does not exist`);
    return [source.file];
  }
  const env = source.env ?? process.env;
  const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (listed.length > 0) {
    const existing = [...new Set(listed)].filter(isFile);
    if (existing.length === 0) throw new NoKubeconfig(`no kubeconfig: KUBECONFIG names ${listed.join(', ')}, and none of them exists`);
    return existing;
  }
  const home = source.homedir ?? os.homedir();
  const defaultFile = path.join(home, '.kube', 'config');
  if (!isFile(defaultFile)) throw new NoKubeconfig(`no kubeconfig: KUBECONFIG is not set and ${defaultFile} does not exist`);
  return [defaultFile];
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
