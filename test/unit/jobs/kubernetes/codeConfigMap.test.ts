import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { JobDefinition } from '../../../../src/jobs/jobConfig.ts';
import { planJobRuns } from '../../../../src/jobs/jobParams.ts';
import { buildCodeConfigMap, codeMount, collectCodeFiles, CONFIG_MAP_MAX_BYTES, configMapKey } from '../../../../src/jobs/kubernetes/codeConfigMap.ts';
import { connectKubernetes } from '../../../../src/jobs/kubernetes/kubeContexts.ts';
import type { KubernetesConnection } from '../../../../src/jobs/kubernetes/kubernetesRun.ts';
import { submitKubernetesJob } from '../../../../src/jobs/kubernetes/submitKubernetesJob.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { tempDir } from '../../../support/tempStore.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A git repository with tracked text, binary, executable and nested files, and files git does not track. */
function repository(): string {
  const folder = tempDir();
  git(folder, 'init', '-q');
  const files: Record<string, string | Buffer> = {
    'train.py': 'print("train")\n',
    'run.sh': '#!/bin/sh\nexec python train.py\n',
    'src/model/net.py': 'class Net: pass\n',
    'src/model/weights.bin': Buffer.from([0, 255, 254, 1, 0x80, 0x81]),
    'src/util_helpers.py': '# ü and emoji 🚀\n',
    'configs/a b/c.yaml': 'lr: 0.1\n',
    '..dots': 'leading dots\n',
    'bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('with a BOM\n')]),
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), content);
  }
  fs.chmodSync(path.join(folder, 'run.sh'), 0o755);
  git(folder, 'add', '.');
  fs.writeFileSync(path.join(folder, 'untracked.py'), 'not shipped\n');
  fs.writeFileSync(path.join(folder, 'src/model/scratch.txt'), 'not shipped either\n');
  return folder;
}

/** What the kubelet does with a ConfigMap volume's items: each key's value written at the item's path. */
function projectVolume(configMap: ReturnType<typeof buildCodeConfigMap>, items: Array<{ key: string; path: string }>): string {
  const target = tempDir();
  for (const item of items) {
    const text = configMap.data?.[item.key];
    const content = text !== undefined ? Buffer.from(text, 'utf8') : Buffer.from(configMap.binaryData![item.key]!, 'base64');
    fs.mkdirSync(path.dirname(path.join(target, item.path)), { recursive: true });
    fs.writeFileSync(path.join(target, item.path), content);
  }
  return target;
}

function treeOf(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(root, entry);
    if (fs.statSync(file).isFile() && !entry.split(path.sep).includes('.git')) tree[entry.split(path.sep).join('/')] = fs.readFileSync(file).toString('base64');
  }
  return tree;
}

describe('code ConfigMap: the files git tracks', () => {
  it('ships the tracked files of the script directory (the whole folder for a script at its root), never untracked ones', async () => {
    const folder = repository();
    const bundle = await collectCodeFiles(folder, 'train.py');
    assert.equal(bundle.directory, '');
    assert.deepEqual(bundle.files.map((file) => file.path).sort(), ['..dots', 'bom.txt', 'configs/a b/c.yaml', 'run.sh', 'src/model/net.py', 'src/model/weights.bin', 'src/util_helpers.py', 'train.py']);
    assert.equal(bundle.bytes, bundle.files.reduce((sum, file) => sum + fs.statSync(path.join(folder, file.path)).size, 0));
    assert.deepEqual(bundle.files.filter((file) => file.executable).map((file) => file.path), ['run.sh']);

    const nested = await collectCodeFiles(folder, 'src/model/net.py');
    assert.equal(nested.directory, 'src/model');
    assert.deepEqual(nested.files.map((file) => file.path).sort(), ['src/model/net.py', 'src/model/weights.bin']);
  });

  it('ships the working tree content of a tracked file, uncommitted edits included', async () => {
    const folder = repository();
    fs.writeFileSync(path.join(folder, 'train.py'), 'print("edited")\n');
    const bundle = await collectCodeFiles(folder, 'train.py');
    assert.equal(bundle.files.find((file) => file.path === 'train.py')?.content.toString(), 'print("edited")\n');
  });

  it('restores the tree through the volume items, binary files through binaryData, with valid and unique keys', async () => {
    const folder = repository();
    const bundle = await collectCodeFiles(folder, 'train.py');
    const configMap = buildCodeConfigMap(bundle, 'mltrail-train-a1b2c3', { 'mltrail/job': 'train' });
    const mount = codeMount(bundle, 'mltrail-train-a1b2c3');
    assert.equal(configMap.immutable, true);
    assert.deepEqual(Object.keys(configMap.binaryData ?? {}), [configMapKey('src/model/weights.bin')]);
    const keys = [...Object.keys(configMap.data ?? {}), ...Object.keys(configMap.binaryData ?? {})];
    assert.equal(new Set(keys).size, bundle.files.length);
    for (const key of keys) assert.match(key, /^[-._a-zA-Z0-9]+$/);
    assert.ok(keys.every((key) => !key.startsWith('..')));

    const items = mount.volume.configMap!.items!;
    assert.equal(mount.volume.configMap!.name, 'mltrail-train-a1b2c3');
    assert.deepEqual(items.find((item) => item.path === 'run.sh')?.mode, 0o755);
    assert.equal(items.find((item) => item.path === 'train.py')?.mode, undefined);
    assert.deepEqual(mount.mount, { name: 'mltrail-code', mountPath: '/mltrail/code', readOnly: true });
    assert.equal(mount.workingDir, '/mltrail/code');

    const tracked = treeOf(folder);
    delete tracked['untracked.py'];
    delete tracked['src/model/scratch.txt'];
    assert.deepEqual(treeOf(projectVolume(configMap, items)), tracked);
  });

  it('gives distinct paths distinct keys, and a long path a hashed key within the 253 characters a key may have', () => {
    assert.notEqual(configMapKey('a/b'), configMapKey('a_2Fb'));
    assert.notEqual(configMapKey('a_b'), configMapKey('a/b'));
    assert.equal(configMapKey('src/train.py'), 'src_2Ftrain.py');
    const long = configMapKey(`${'deep/'.repeat(60)}file.py`);
    assert.ok(long.length <= 253);
    assert.notEqual(long, configMapKey(`${'deep/'.repeat(60)}other.py`));
  });

  it('refuses over 1 MiB, naming the size, the file count and "code": "image"', async () => {
    const folder = repository();
    fs.writeFileSync(path.join(folder, 'checkpoint.pt'), Buffer.alloc(CONFIG_MAP_MAX_BYTES + 100_000, 7));
    git(folder, 'add', 'checkpoint.pt');
    const total = CONFIG_MAP_MAX_BYTES + 100_000 + trackedBytesBesides(folder, 'checkpoint.pt');
    await assert.rejects(collectCodeFiles(folder, 'train.py'), (error: Error) => {
      assert.match(error.message, /9 files of 1\.1 MiB/);
      assert.ok(error.message.includes(`(${total} bytes)`), error.message);
      assert.match(error.message, /over the 1\.0 MiB a ConfigMap can hold/);
      assert.match(error.message, /Largest: checkpoint\.pt \(1\.1 MiB\)/);
      assert.match(error.message, /"code": "image"/);
      return true;
    });
  });

  it('says so outside a git repository, and when git tracks nothing there', async () => {
    const plain = tempDir();
    fs.writeFileSync(path.join(plain, 'train.py'), 'print(1)\n');
    await assert.rejects(collectCodeFiles(plain, 'train.py'), /is not in a git repository: commit the code to git, or build it into the image and set "code": "image"/);

    const empty = tempDir();
    git(empty, 'init', '-q');
    fs.writeFileSync(path.join(empty, 'train.py'), 'print(1)\n');
    await assert.rejects(collectCodeFiles(empty, 'train.py'), /git tracks none there/);
  });
});

/** The size of the repository's tracked files but one. */
function trackedBytesBesides(folder: string, left: string): number {
  const listed = git(folder, 'ls-files', '-z').split('\0').filter((file) => file && file !== left);
  return listed.reduce((sum, file) => sum + fs.statSync(path.join(folder, file)).size, 0);
}

describe('code ConfigMap on the cluster', () => {
  let server: FakeApiServer;
  let connection: KubernetesConnection;

  before(async () => {
    server = await startFakeApiServer({ namespace: 'ml', controller: { defaultScript: 'idle' } });
    connection = await connectKubernetes(undefined, { file: server.kubeconfigPath });
  });
  after(() => server.stop());

  const job: JobDefinition = {
    name: 'train',
    script: 'src/model/net.py',
    command: ['python', 'src/model/net.py'],
    params: {},
    sweep: {},
    env: {},
    inputs: [],
    kubernetes: { image: 'python:3.12', code: 'configmap' },
  };

  it('is created with the Job, owned by it, mounted as the working directory, and deleted with it (Background)', async () => {
    const folder = repository();
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir: path.join(folder, '.mltrail'), job, plans: planJobRuns(job) });
    const core = connection.kubeConfig.makeApiClient(CoreV1Api);
    const batch = connection.kubeConfig.makeApiClient(BatchV1Api);

    const configMap = await core.readNamespacedConfigMap({ namespace: 'ml', name: placement.jobName });
    const created = await batch.readNamespacedJob({ namespace: 'ml', name: placement.jobName });
    assert.deepEqual(configMap.metadata?.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.uid]), [['Job', placement.jobName, created.metadata?.uid]]);
    assert.deepEqual(Object.keys(configMap.data ?? {}), ['src_2Fmodel_2Fnet.py']);
    assert.deepEqual(Object.keys(configMap.binaryData ?? {}), ['src_2Fmodel_2Fweights.bin']);
    const pod = created.spec!.template.spec!;
    assert.equal(pod.containers[0]?.workingDir, '/mltrail/code');
    assert.deepEqual(pod.volumes?.find((volume) => volume.name === 'mltrail-code')?.configMap?.items?.map((item) => item.path).sort(), ['src/model/net.py', 'src/model/weights.bin']);

    await batch.deleteNamespacedJob({ namespace: 'ml', name: placement.jobName, propagationPolicy: 'Background' });
    assert.equal(server.store.get('configmaps', 'ml', placement.jobName), undefined);
    assert.deepEqual(server.store.list('pods', 'ml'), []);
  });

  it('is listed by kubectl, a second client, with its data and owner', { skip: !fs.existsSync('/usr/bin/kubectl') && 'kubectl is not installed' }, async () => {
    const folder = repository();
    const { placement } = await submitKubernetesJob({ connection, folder, storeDir: path.join(folder, '.mltrail'), job, plans: planJobRuns(job) });
    const cacheDir = tempDir('kubectl-cache-');
    const { stdout } = await promisify(execFile)('/usr/bin/kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, 'get', 'configmap', placement.jobName, '-n', 'ml', '-o', 'json']);
    const listed = JSON.parse(stdout);
    assert.equal(listed.data['src_2Fmodel_2Fnet.py'], 'class Net: pass\n');
    assert.equal(Buffer.from(listed.binaryData['src_2Fmodel_2Fweights.bin'], 'base64').length, 6);
    assert.equal(listed.metadata.ownerReferences[0].name, placement.jobName);
  });

  it('is refused by the API server over 1 MiB, as Kubernetes does', async () => {
    const core = connection.kubeConfig.makeApiClient(CoreV1Api);
    const body = { metadata: { name: 'too-big' }, data: { a: 'x'.repeat(CONFIG_MAP_MAX_BYTES), b: 'y' } };
    await assert.rejects(core.createNamespacedConfigMap({ namespace: 'ml', body }), (error: { code?: number; body?: string }) => {
      assert.equal(error.code, 422);
      assert.match(error.body ?? '', /ConfigMap \\"too-big\\" is invalid: \[\]: Too long: must have at most 1048576 bytes/);
      return true;
    });
  });
});
