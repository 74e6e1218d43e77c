// The meta.k8s.io/v1 Table kubectl asks for (`Accept: application/json;as=Table;...`) when it prints for people.
import type { KubeObject } from './objectStore.ts';
import type { ResourceName } from './resources.ts';

type Column = { name: string; type: string; format?: string; cell: (object: KubeObject, now: Date) => string | number };

function age(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

function jobStatus(job: KubeObject): string {
  const conditions: { type: string; status: string }[] = job.status?.conditions ?? [];
  const holds = (type: string) => conditions.some((condition) => condition.type === type && condition.status === 'True');
  if (holds('Complete')) return 'Complete';
  if (holds('Failed')) return 'Failed';
  if (holds('Suspended')) return 'Suspended';
  return 'Running';
}

function podStatus(pod: KubeObject): string {
  if (pod.status?.reason) return pod.status.reason;
  for (const container of pod.status?.containerStatuses ?? []) {
    const reason = container.state?.waiting?.reason ?? container.state?.terminated?.reason;
    if (reason) return reason;
  }
  return pod.status?.phase ?? 'Unknown';
}

const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (object) => object.metadata.name };
const created: Column = { name: 'Age', type: 'string', cell: (object, now) => age(object.metadata.creationTimestamp, now) };

const columns: Record<ResourceName, Column[]> = {
  jobs: [
    name,
    { name: 'Status', type: 'string', cell: jobStatus },
    { name: 'Completions', type: 'string', cell: (job) => `${job.status?.succeeded ?? 0}/${job.spec?.completions ?? 1}` },
    created,
  ],
  pods: [
    name,
    { name: 'Ready', type: 'string', cell: (pod) => `${(pod.status?.containerStatuses ?? []).filter((c: { ready: boolean }) => c.ready).length}/${pod.spec?.containers?.length ?? 0}` },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'integer', cell: (pod) => (pod.status?.containerStatuses ?? []).reduce((sum: number, c: { restartCount?: number }) => sum + (c.restartCount ?? 0), 0) },
    created,
  ],
  configmaps: [
    name,
    { name: 'Data', type: 'integer', cell: (configMap) => Object.keys(configMap.data ?? {}).length + Object.keys(configMap.binaryData ?? {}).length },
    created,
  ],
  events: [
    { name: 'Type', type: 'string', cell: (event) => event.type },
    { name: 'Reason', type: 'string', cell: (event) => event.reason },
    { name: 'Object', type: 'string', cell: (event) => `${String(event.involvedObject?.kind).toLowerCase()}/${event.involvedObject?.name}` },
    { name: 'Message', type: 'string', cell: (event) => event.message },
  ],
};

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(resource: ResourceName, objects: KubeObject[], resourceVersion: number, now: Date): object {
  const resourceColumns = columns[resource];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(resourceVersion) },
    columnDefinitions: resourceColumns.map(({ name: columnName, type, format }) => ({ name: columnName, type, format: format ?? '', description: '', priority: 0 })),
    rows: objects.map((object) => ({ cells: resourceColumns.map((column) => column.cell(object, now)), object })),
  };
}
