// A kubeconfig file for the fake server: plain HTTP (hence insecure-skip-tls-verify, which client-node requires for
// http://) and a bearer-token user.
import fs from 'node:fs';
import path from 'node:path';

export interface KubeconfigOptions {
  server: string;
  token: string;
  namespace?: string;
  contextName?: string;
}

export function kubeconfigYaml({ server, token, namespace = 'default', contextName = 'fake' }: KubeconfigOptions): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${contextName}-cluster`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${contextName}-user`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${contextName}`,
    '  context:',
    `    cluster: ${contextName}-cluster`,
    `    user: ${contextName}-user`,
    `    namespace: ${namespace}`,
    `current-context: ${contextName}`,
    '',
  ].join('\n');
}

export function writeKubeconfig(directory: string, options: KubeconfigOptions): string {
  const file = path.join(directory, 'kubeconfig');
  fs.writeFileSync(file, kubeconfigYaml(options), { mode: 0o600 });
  return file;
}
