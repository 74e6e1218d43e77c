// The resources the fake API server serves, described once so that routing, discovery and error messages agree.

export type ResourceName = 'jobs' | 'pods' | 'events' | 'configmaps';

export interface ResourceDescriptor {
  name: ResourceName;
  group: string;
  version: string;
  kind: string;
  shortNames: string[];
}

export const resources: Record<ResourceName, ResourceDescriptor> = {
  jobs: { name: 'jobs', group: 'batch', version: 'v1', kind: 'Job', shortNames: [] },
  pods: { name: 'pods', group: '', version: 'v1', kind: 'Pod', shortNames: ['po'] },
  events: { name: 'events', group: '', version: 'v1', kind: 'Event', shortNames: ['ev'] },
  configmaps: { name: 'configmaps', group: '', version: 'v1', kind: 'ConfigMap', shortNames: ['cm'] },
};

export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `jobs.batch` or `pods`, as the API server names a resource in its messages. */
export function qualifiedName(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.name}.${resource.group}` : resource.name;
}

export function resourceAt(apiPrefix: string, name: string): ResourceDescriptor | undefined {
  const resource = (resources as Record<string, ResourceDescriptor | undefined>)[name];
  if (!resource) return undefined;
  const prefix = resource.group ? `apis/${resource.group}/${resource.version}` : `api/${resource.version}`;
  return prefix === apiPrefix ? resource : undefined;
}
