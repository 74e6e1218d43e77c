import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BatchV1Api } from '@kubernetes/client-node';
import { connectKubernetes, NoKubeconfig, readKubeContexts } from '../../../../src/jobs/kubernetes/kubeContexts.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { tempDir } from '../../../support/tempStore.ts';

interface ContextSpec {
  name: string;
  cluster: string;
  server: string;
  namespace?: string;
}

/** A kubeconfig with one cluster and one user per context. */
function kubeconfig(contexts: ContextSpec[], currentContext?: string, extraCluster = ''): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const context of contexts) lines.push(`- name: ${context.cluster}`, '  cluster:', `    server: ${context.server}`, '    insecure-skip-tls-verify: true', extraCluster);
  lines.push('users:');
  for (const context of contexts) lines.push(`- name: ${context.name}-user`, '  user:', '    token: fake-token');
  lines.push('contexts:');
  for (const context of contexts) {
    lines.push(`- name: ${context.name}`, '  context:', `    cluster: ${context.cluster}`, `    user: ${context.name}-user`, ...(context.namespace ? [`    namespace: ${context.namespace}`] : []));
  }
  if (currentContext) lines.push(`current-context: ${currentContext}`);
  return lines.filter(Boolean).join('\n') + '\n';
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('kubeconfig contexts', () => {
  it('merges the files of KUBECONFIG as kubectl does: the first file naming a context wins, and the first current-context set', async () => {
    const dir = tempDir();
    const first = write(dir, 'first.yaml', kubeconfig([
      { name: 'dev', cluster: 'dev-cluster', server: 'https://dev.example.com', namespace: 'team-a' },
      { name: 'shared', cluster: 'shared-first', server: 'https://first.example.com' },
    ]));
    const second = write(dir, 'second.yaml', kubeconfig([
      { name: 'shared', cluster: 'shared-second', server: 'https://second.example.com' },
      { name: 'prod', cluster: 'prod-cluster', server: 'https://prod.example.com' },
    ], 'prod'));
    const missing = path.join(dir, 'missing.yaml');

    const list = await readKubeContexts({ env: { KUBECONFIG: [first, missing, '', second].join(path.delimiter) }, homedir: dir });
    assert.deepEqual(list.files, [first, second]);
    assert.equal(list.current, 'prod');
    assert.deepEqual(list.contexts, [
      { name: 'dev', cluster: 'dev-cluster', user: 'dev-user', server: 'https://dev.example.com', namespace: 'team-a' },
      { name: 'shared', cluster: 'shared-first', user: 'shared-user', server: 'https://first.example.com' },
      { name: 'prod', cluster: 'prod-cluster', user: 'prod-user', server: 'https://prod.example.com' },
    ]);

    const third = write(dir, 'third.yaml', kubeconfig([{ name: 'dev', cluster: 'other', server: 'https://other.example.com' }], 'dev'));
    const firstCurrentWins = await readKubeContexts({ env: { KUBECONFIG: [third, second].join(path.delimiter) } });
    assert.equal(firstCurrentWins.current, 'dev');
    assert.equal(firstCurrentWins.contexts.find((context) => context.name === 'dev')?.server, 'https://other.example.com');
  });

  it('reads ~/.kube/config when KUBECONFIG is not set, and resolves its relative file paths against its directory', async () => {
    const home = tempDir();
    const file = write(home, '.kube/config', kubeconfig([{ name: 'home', cluster: 'home-cluster', server: 'https://home.example.com' }], 'home', '    certificate-authority: certs/ca.crt'));
    const list = await readKubeContexts({ env: {}, homedir: home });
    assert.deepEqual(list, { files: [file], contexts: [{ name: 'home', cluster: 'home-cluster', user: 'home-user', server: 'https://home.example.com' }], current: 'home' });

    const connection = await connectKubernetes(undefined, { env: {}, homedir: home });
    assert.equal(connection.kubeConfig.getCurrentCluster()?.caFile, path.join(home, '.kube', 'certs', 'ca.crt'));
  });

  it('takes an explicit kubeconfig file over KUBECONFIG and ~/.kube/config', async () => {
    const dir = tempDir();
    const explicit = write(dir, 'explicit.yaml', kubeconfig([{ name: 'explicit', cluster: 'c', server: 'https://explicit.example.com' }], 'explicit'));
    const other = write(dir, 'other.yaml', kubeconfig([{ name: 'other', cluster: 'c', server: 'https://other.example.com' }], 'other'));
    const list = await readKubeContexts({ file: explicit, env: { KUBECONFIG: other }, homedir: dir });
    assert.deepEqual(list.contexts.map((context) => context.name), ['explicit']);
    await assert.rejects(readKubeContexts({ file: path.join(dir, 'absent.yaml') }), (error) => error instanceof NoKubeconfig && /absent\.yaml set in mltrail\.kubernetes\.kubeconfig does not exist/.test(error.message));
  });

  it('throws NoKubeconfig saying where it looked, and never tries the client fallback at localhost:8080', async () => {
    const home = tempDir();
    const sockets: unknown[] = [];
    const requests: unknown[] = [];
    const onSocket = (socket: unknown) => sockets.push(socket);
    const onRequest = (request: unknown) => requests.push(request);
    diagnosticsChannel.subscribe('net.client.socket', onSocket);
    diagnosticsChannel.subscribe('undici:request:create', onRequest);
    try {
      await assert.rejects(connectKubernetes(undefined, { env: {}, homedir: home }), (error) => {
        assert.ok(error instanceof NoKubeconfig);
        assert.equal(error.message, `no kubeconfig: KUBECONFIG is not set and ${path.join(home, '.kube', 'config')} does not exist`);
        return true;
      });
      await assert.rejects(readKubeContexts({ env: { KUBECONFIG: ['/nope/a', '/nope/b'].join(path.delimiter) }, homedir: home }), (error) => {
        assert.ok(error instanceof NoKubeconfig);
        assert.equal(error.message, 'no kubeconfig: KUBECONFIG names /nope/a, /nope/b, and none of them exists');
        return true;
      });
    } finally {
      diagnosticsChannel.unsubscribe('net.client.socket', onSocket);
      diagnosticsChannel.unsubscribe('undici:request:create', onRequest);
    }
    assert.deepEqual([sockets.length, requests.length], [0, 0]);
  });

  it('names the file of a kubeconfig it cannot parse, and reads an empty file as an empty config', async () => {
    const dir = tempDir();
    const broken = write(dir, 'broken.yaml', 'clusters: [\n  - name: x\n');
    await assert.rejects(readKubeContexts({ file: broken }), (error: Error) => error.message.startsWith(`cannot read the kubeconfig ${broken}: `));
    const empty = write(dir, 'empty.yaml', '');
    const good = write(dir, 'good.yaml', kubeconfig([{ name: 'good', cluster: 'c', server: 'https://good.example.com' }], 'good'));
    assert.deepEqual((await readKubeContexts({ env: { KUBECONFIG: [empty, good].join(path.delimiter) } })).contexts.map((context) => context.name), ['good']);
  });
});

describe('connecting to a context', () => {
  let server: FakeApiServer;
  const dir = tempDir();
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await startFakeApiServer();
    const file = write(dir, 'config', kubeconfig([
      { name: 'fake', cluster: 'fake-cluster', server: server.url, namespace: 'ml' },
      { name: 'plain', cluster: 'plain-cluster', server: server.url },
    ], 'fake'));
    env = { KUBECONFIG: file };
  });
  after(() => server.stop());

  it('connects to the current context, with its namespace, and the connection talks to that cluster', async () => {
    const connection = await connectKubernetes(undefined, { env });
    assert.deepEqual([connection.context, connection.namespace, connection.server], ['fake', 'ml', server.url]);
    const jobs = await connection.kubeConfig.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: connection.namespace });
    assert.deepEqual(jobs.items, []);
    assert.ok(server.requests.some((request) => request.path === '/apis/batch/v1/namespaces/ml/jobs'));
  });

  it('connects to a named context, in namespace "default" when the context names none', async () => {
    const connection = await connectKubernetes('plain', { env });
    assert.deepEqual([connection.context, connection.namespace, connection.kubeConfig.getCurrentContext()], ['plain', 'default', 'plain']);
  });

  it('refuses an unknown context, naming the contexts there are', async () => {
    await assert.rejects(connectKubernetes('staging', { env }), (error: Error) => {
      assert.equal(error.message, `context "staging" is not in the kubeconfig (${env.KUBECONFIG}): known contexts: fake, plain`);
      return true;
    });
  });

  it('asks for a context when the kubeconfig sets no current-context', async () => {
    const file = write(dir, 'no-current', kubeconfig([{ name: 'only', cluster: 'c', server: server.url }]));
    await assert.rejects(connectKubernetes(undefined, { file }), /sets no current-context: choose a context \(known contexts: only\)/);
  });
});
