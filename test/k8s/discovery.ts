// The discovery documents kubectl reads before it can name a resource (legacy, non-aggregated form: kubectl falls
// back to it when the response is plain application/json).
import { apiVersionOf, resources, type ResourceDescriptor } from './resources.ts';

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string): object {
  const served = Object.values(resources).filter((resource) => apiVersionOf(resource) === groupVersion);
  const entries = served.flatMap((resource: ResourceDescriptor) => [
    { name: resource.name, singularName: resource.kind.toLowerCase(), namespaced: true, kind: resource.kind, verbs, shortNames: resource.shortNames },
    ...(resource.name === 'jobs' || resource.name === 'pods' ? [{ name: `${resource.name}/status`, singularName: '', namespaced: true, kind: resource.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ...(resource.name === 'pods' ? [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: entries };
}

const batchGroup = { name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } };

export const discoveryDocuments: Record<string, object> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0-mltrail-fake', gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [batchGroup] },
  '/apis/batch': { kind: 'APIGroup', apiVersion: 'v1', ...batchGroup },
  '/api/v1': resourceList('v1'),
  '/apis/batch/v1': resourceList('batch/v1'),
};

/**
 * Just enough OpenAPI v3 for kubectl create/apply: kubectl looks for the `fieldValidation` parameter on the PATCH
 * operation of the kind it sends, and when found leaves validation to the server instead of downloading the full
 * schema. The fake accepts fieldValidation and ignores it.
 */
function openApiDocument(...served: ResourceDescriptor[]): object {
  const fieldValidation = { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } };
  const paths = served.map((resource) => {
    const prefix = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
    const patch = { 'x-kubernetes-group-version-kind': { group: resource.group, version: resource.version, kind: resource.kind }, parameters: [fieldValidation], responses: {} };
    return [`${prefix}/namespaces/{namespace}/${resource.name}/{name}`, { patch }];
  });
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: Object.fromEntries(paths) };
}

export const openApiV3Documents: Record<string, object> = {
  '/openapi/v3': {
    paths: {
      'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=fake' },
      'apis/batch/v1': { serverRelativeURL: '/openapi/v3/apis/batch/v1?hash=fake' },
    },
  },
  '/openapi/v3/api/v1': openApiDocument(resources.pods, resources.events, resources.configmaps),
  '/openapi/v3/apis/batch/v1': openApiDocument(resources.jobs),
};
