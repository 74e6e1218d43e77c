import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { describeKubernetesError, isNotFound } from '../../../../src/jobs/kubernetes/kubernetesErrors.ts';
import { startFakeApiServer, type FakeApiServer } from '../../../k8s/fakeApiServer.ts';
import { trainingJob } from '../../../k8s/manifests.ts';

const names = { context: 'gpu-cluster', server: 'https://k8s.example.com:6443' };

/** The error a client call rejects with. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

/** An ApiException carrying a v1 Status as the API server sends it. */
function statusException(code: number, reason: string, message: string, details?: Record<string, unknown>): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
  return new ApiException(code, 'Unknown API Status Code!', body, {});
}

describe('describing Kubernetes errors from the real client', () => {
  let server: FakeApiServer;
  let kubeConfig: KubeConfig;
  const fake = () => ({ context: 'fake', server: server.url });

  before(async () => {
    server = await startFakeApiServer({ token: 'right-token' });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(server.kubeconfigPath);
  });
  after(() => server.stop());

  it('quotes the Status of a refused Job with its code and reason (422 Invalid, 409 AlreadyExists)', async () => {
    const batch = kubeConfig.makeApiClient(BatchV1Api);
    const invalid = trainingJob('invalid');
    invalid.spec.template.spec.containers[0]!.image = '';
    const refused = await failureOf(batch.createNamespacedJob({ namespace: 'ml', body: invalid }));
    assert.equal(describeKubernetesError(refused, fake()), 'the cluster refused the Job (422 Invalid): Job.batch "invalid" is invalid: spec.template.spec.containers[0].image: Required value');

    await batch.createNamespacedJob({ namespace: 'ml', body: trainingJob('twice') });
    const conflict = await failureOf(batch.createNamespacedJob({ namespace: 'ml', body: trainingJob('twice') }));
    assert.equal(describeKubernetesError(conflict, fake()), 'the cluster refused the Job (409 AlreadyExists): jobs.batch "twice" already exists');
    assert.equal(isNotFound(conflict), false);
  });

  it('lists every field at fault when the API server finds several', async () => {
    const batch = kubeConfig.makeApiClient(BatchV1Api);
    const body = trainingJob('several');
    Object.assign(body.spec.template.spec, { tolerations: [{ key: 'a', operator: 'Maybe' }], volumes: [{ name: 'Data_Volume', emptyDir: {} }] });
    const refused = await failureOf(batch.createNamespacedJob({ namespace: 'ml', body }));
    assert.match(describeKubernetesError(refused, fake()), /^the cluster refused the Job \(422 Invalid\): Job\.batch "several" is invalid: \[spec\.template\.spec\.volumes\[0\]\.name: Invalid value: "Data_Volume": .*, spec\.template\.spec\.tolerations\[0\]\.operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"\]$/);
  });

  it('recognizes a 404', async () => {
    const missing = await failureOf(kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ namespace: 'ml', name: 'absent' }));
    assert.equal(isNotFound(missing), true);
    assert.equal(describeKubernetesError(missing, fake()), 'jobs.batch "absent" not found on context "fake"');
  });

  it('says the credentials were rejected on 401, which the client reports without a body', async () => {
    const wrong = new KubeConfig();
    wrong.loadFromOptions({ clusters: kubeConfig.clusters, contexts: kubeConfig.contexts, currentContext: kubeConfig.currentContext, users: [{ name: kubeConfig.users[0]!.name, token: 'expired' }] });
    const rejected = await failureOf(wrong.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: 'ml' }));
    assert.equal(describeKubernetesError(rejected, fake()), 'the credentials of context "fake" were rejected (expired token?): run your cluster login again');
  });

  it('names a missing exec credential plugin and says it must be on PATH', async () => {
    const withPlugin = new KubeConfig();
    withPlugin.loadFromOptions({
      clusters: kubeConfig.clusters,
      contexts: kubeConfig.contexts,
      currentContext: kubeConfig.currentContext,
      users: [{ name: kubeConfig.users[0]!.name, exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'mltrail-test-no-such-auth-plugin' } }],
    });
    const failed = await failureOf(withPlugin.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: 'ml' }));
    assert.equal(
      describeKubernetesError(failed, fake()),
      'the credential plugin "mltrail-test-no-such-auth-plugin" of context "fake" was not found: it must be on the PATH of this process (install it, or start the editor from a shell that has it)',
    );
  });

  it('says the cluster cannot be reached when nothing listens at its address', async () => {
    const stopped = await startFakeApiServer();
    const config = new KubeConfig();
    config.loadFromFile(stopped.kubeconfigPath);
    await stopped.stop();
    const refused = await failureOf(config.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: 'ml' }));
    const address = stopped.url.replace('http://', '');
    assert.equal(describeKubernetesError(refused, { context: 'fake', server: stopped.url }), `cannot reach the cluster of context "fake" at ${stopped.url}: connect ECONNREFUSED ${address}`);
  });
});

describe('describing Kubernetes errors the fake cannot produce', () => {
  it('quotes a 403 Forbidden', () => {
    const error = statusException(403, 'Forbidden', 'jobs.batch is forbidden: User "alice" cannot create resource "jobs" in API group "batch" in the namespace "ml"', { group: 'batch', kind: 'jobs' });
    assert.equal(describeKubernetesError(error, names), 'forbidden: jobs.batch is forbidden: User "alice" cannot create resource "jobs" in API group "batch" in the namespace "ml" (context "gpu-cluster")');
  });

  it('says which namespace does not exist', () => {
    const error = statusException(404, 'NotFound', 'namespaces "research" not found', { name: 'research', kind: 'namespaces' });
    assert.equal(describeKubernetesError(error, names), 'namespace "research" does not exist on context "gpu-cluster": create it or choose another namespace');
    assert.equal(isNotFound(error), true);
  });

  it('says the cluster failed on a 5xx, and gives the code when there is no Status', () => {
    assert.equal(describeKubernetesError(statusException(500, 'InternalError', 'etcdserver: request timed out'), names), 'the cluster of context "gpu-cluster" failed (500 InternalError): etcdserver: request timed out');
    assert.equal(describeKubernetesError(new ApiException(502, 'Unknown API Status Code!', undefined, {}), names), 'the cluster of context "gpu-cluster" answered HTTP 502');
  });

  it('says the cluster cannot be reached for DNS failures, timeouts and TLS problems, quoting the cause', () => {
    const causes = [
      Object.assign(new Error('getaddrinfo ENOTFOUND k8s.example.com'), { code: 'ENOTFOUND' }),
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:6443'), { code: 'ETIMEDOUT' }),
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:6443'), { code: 'ECONNREFUSED' })], 'all addresses failed'),
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    ];
    const expected = ['getaddrinfo ENOTFOUND k8s.example.com', 'connect ETIMEDOUT 10.0.0.1:6443', 'connect ECONNREFUSED ::1:6443', 'self-signed certificate'];
    causes.forEach((cause, index) => {
      const error = new TypeError('fetch failed', { cause });
      assert.equal(describeKubernetesError(error, names), `cannot reach the cluster of context "gpu-cluster" at https://k8s.example.com:6443: ${expected[index]}`);
    });
  });

  it('says the cluster did not answer in time', () => {
    const error = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    assert.equal(describeKubernetesError(error, names), 'the cluster of context "gpu-cluster" at https://k8s.example.com:6443 did not answer in time: The operation was aborted due to timeout');
  });

  it('passes any other error message through', () => {
    assert.equal(describeKubernetesError(new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false'), names), 'HTTP protocol is not allowed when skipTLSVerify is not set or false');
    assert.equal(describeKubernetesError('plain text', names), 'plain text');
  });
});
