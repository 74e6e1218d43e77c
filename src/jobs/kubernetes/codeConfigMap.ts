// `"code": "configmap"`: the files git tracks in the job script's directory, shipped to the cluster as a ConfigMap
// and mounted read-only as the container's working directory, so a job runs the code as it is in the editor without
// an image build. A ConfigMap holds at most 1 MiB and its keys cannot hold "/", so each file gets an encoded key and
// the volume's items put it back at its path.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { V1ConfigMap, V1KeyToPath, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { simpleGit } from 'simple-git';

/** Where the code is mounted: the working directory, standing for the workspace folder. */
export const CODE_MOUNT_PATH = '/mltrail/code';
export const CODE_VOLUME_NAME = 'mltrail-code';
/** What a ConfigMap can hold, data and binaryData together. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

export interface CodeFile {
  /** Relative to the workspace folder, with "/" separators: the path it gets under CODE_MOUNT_PATH. */
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface CodeBundle {
  /** The directory shipped, relative to the workspace folder ("" for the folder itself). */
  directory: string;
  files: CodeFile[];
  bytes: number;
}

/** What the pod needs to see the code: the volume, its mount, and the working directory. */
export interface CodeMount {
  volume: V1Volume;
  mount: V1VolumeMount;
  workingDir: string;
}

/**
 * The files git tracks in the directory of `script` (the workspace folder without one), read from the working tree
 * as they are now. Throws a clear error outside a git repository, with nothing tracked, or over 1 MiB.
 */
export async function collectCodeFiles(folder: string, script: string | undefined): Promise<CodeBundle> {
  const root = path.resolve(folder);
  const directory = script === undefined ? root : path.dirname(path.resolve(root, script));
  const relative = path.relative(root, directory);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`"code": "configmap" ships the script's directory, but ${script} is outside the workspace folder ${root}`);
  }
  const shown = relative === '' ? root : relative;
  const git = simpleGit({ baseDir: root, timeout: { block: 30_000 } });
  if (!(await isGitRepository(git, root))) {
    throw new Error(`"code": "configmap" ships the files git tracks in ${shown}, but ${root} is not in a git repository: commit the code to git, or build it into the image and set "code": "image"`);
  }
  const listed = await git.raw(['ls-files', '-z', '--', relative === '' ? '.' : relative]);
  const files: CodeFile[] = [];
  for (const file of listed.split('\0').filter(Boolean)) {
    const absolute = path.join(root, file);
    const stat = statOrUndefined(absolute);
    // Deleted in the working tree, or a submodule (a directory): nothing to ship.
    if (!stat?.isFile()) continue;
    files.push({ path: file.split(path.sep).join('/'), content: fs.readFileSync(absolute), executable: (stat.mode & 0o111) !== 0 });
  }
  if (files.length === 0) {
    throw new Error(`"code": "configmap" ships the files git tracks in ${shown}, and git tracks none there: git add the code, or set "code": "image"`);
  }
  const bundle: CodeBundle = { directory: relative.split(path.sep).join('/'), files, bytes: files.reduce((sum, file) => sum + file.content.length, 0) };
  if (bundle.bytes > CONFIG_MAP_MAX_BYTES) throw new Error(tooLargeMessage(bundle, shown));
  return bundle;
}

/** The ConfigMap holding the bundle: UTF-8 files in data, the rest in binaryData; immutable, so kubelets do not watch it. */
export function buildCodeConfigMap(bundle: CodeBundle, name: string, labels: Record<string, string>): V1ConfigMap {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const file of bundle.files) {
    const text = utf8OrUndefined(file.content);
    if (text === undefined) binaryData[configMapKey(file.path)] = file.content.toString('base64');
    else data[configMapKey(file.path)] = text;
  }
  const configMap: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { ...labels } }, immutable: true, data };
  if (Object.keys(binaryData).length > 0) configMap.binaryData = binaryData;
  return configMap;
}

/** The volume that restores the tree from the ConfigMap's keys, and its read-only mount as the working directory. */
export function codeMount(bundle: CodeBundle, configMapName: string): CodeMount {
  const items = bundle.files.map((file): V1KeyToPath => ({ key: configMapKey(file.path), path: file.path, ...(file.executable ? { mode: 0o755 } : {}) }));
  return {
    volume: { name: CODE_VOLUME_NAME, configMap: { name: configMapName, items } },
    mount: { name: CODE_VOLUME_NAME, mountPath: CODE_MOUNT_PATH, readOnly: true },
    workingDir: CODE_MOUNT_PATH,
  };
}

const KEY_LIMIT = 253;

/**
 * A ConfigMap key for a file path, unique per path: characters outside [-.a-zA-Z0-9] (and "_", the escape, and a
 * leading ".", which could make ".." ) become _XX per UTF-8 byte, so "src/train.py" is "src_2Ftrain.py". A path too
 * long for a key gets a hash.
 */
export function configMapKey(filePath: string): string {
  let key = '';
  for (const [index, character] of [...filePath].entries()) {
    const plain = /^[-.a-zA-Z0-9]$/.test(character) && !(index === 0 && character === '.');
    key += plain ? character : [...Buffer.from(character, 'utf8')].map((byte) => `_${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return key.length <= KEY_LIMIT ? key : `_sha256-${createHash('sha256').update(filePath).digest('hex')}`;
}

function tooLargeMessage(bundle: CodeBundle, shown: string): string {
  const largest = [...bundle.files].sort((a, b) => b.content.length - a.content.length).slice(0, 3);
  return (
    `"code": "configmap" ships the files git tracks in ${shown}: ${bundle.files.length} files of ${formatBytes(bundle.bytes)} (${bundle.bytes} bytes), ` +
    `over the ${formatBytes(CONFIG_MAP_MAX_BYTES)} a ConfigMap can hold. Largest: ${largest.map((file) => `${file.path} (${formatBytes(file.content.length)})`).join(', ')}. ` +
    `Build the code into the image and set "code": "image", or keep data and checkpoints out of git.`
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

async function isGitRepository(git: ReturnType<typeof simpleGit>, root: string): Promise<boolean> {
  try {
    return await git.checkIsRepo();
  } catch (error) {
    throw new Error(`"code": "configmap" needs git to list the code in ${root}: ${(error as Error).message}`, { cause: error });
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8OrUndefined(content: Buffer): string | undefined {
  try {
    return utf8.decode(content);
  } catch {
    return undefined;
  }
}
