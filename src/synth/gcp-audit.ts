import { compact, type Json, type JsonObject } from './json.js';
import { isoFraction } from './period.js';
import { GCP_PROJECTS, type GcpProjectKey } from './principals.js';
import type { Rng } from './prng.js';

/** One Cloud Audit Logs LogEntry and the log it belongs to. */
export type GcpLogType = 'activity' | 'data_access' | 'system_event' | 'policy';

export interface GcpEntry {
  project: GcpProjectKey;
  logType: GcpLogType;
  time: number;
  entry: JsonObject;
}

export interface GcpCaller {
  email: string;
  ip: string;
  userAgent: string;
  /** Set when a service account was impersonated (workload identity federation, `--impersonate`). */
  delegation?: { subject: string };
}

export interface GcpCall {
  logType: GcpLogType;
  service: string;
  method: string;
  resourceName: string;
  resource: { type: string; labels: Record<string, string> };
  permissions: { permission: string; resource?: string; type?: string; granted?: boolean }[];
  permissionType?: 'ADMIN_READ' | 'ADMIN_WRITE' | 'DATA_READ' | 'DATA_WRITE';
  request?: JsonObject;
  response?: JsonObject;
  serviceData?: JsonObject;
  metadata?: JsonObject;
  status?: { code: number; message: string };
  severity?: string;
  labels?: Record<string, string>;
  location?: string;
  /** GKE entries carry an operation and a UUID insertId. */
  k8s?: boolean;
}

export function projectId(key: GcpProjectKey): string {
  return GCP_PROJECTS[key].id;
}

function insertId(rng: Rng, k8s: boolean): string {
  if (k8s) return rng.uuid();
  return `${rng.chance(0.3) ? '-' : ''}${rng.lowerAlnum(rng.pick([12, 12, 13, 14]))}`;
}

/** Builds a LogEntry with an AuditLog payload in the field order Cloud Logging exports it. */
export function gcpEntry(
  rng: Rng,
  project: GcpProjectKey,
  time: number,
  caller: GcpCaller,
  call: GcpCall,
): GcpEntry {
  const id = insertId(rng, call.k8s ?? false);
  const failed = call.status !== undefined && call.status.code !== 0;
  const write = call.logType === 'activity';
  const severity = call.severity ?? (failed ? 'ERROR' : write ? 'NOTICE' : 'INFO');
  const authorizationInfo: Json[] = call.permissions.map((p) =>
    call.k8s
      ? compact({
          granted: p.granted ?? !failed,
          permission: p.permission,
          resource: p.resource ?? call.resourceName,
        })
      : compact({
          resource: p.resource ?? call.resourceName,
          permission: p.permission,
          granted: p.granted ?? !failed,
          resourceAttributes: p.type
            ? { service: call.service, name: p.resource ?? call.resourceName, type: p.type }
            : {},
          permissionType: call.permissionType,
        }),
  );
  const requestTime = isoFraction(time, 9, rng);
  const protoPayload = compact({
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    status: call.status
      ? { code: call.status.code, message: call.status.message }
      : call.k8s
        ? { code: 0 }
        : {},
    authenticationInfo: compact({
      principalEmail: caller.email,
      principalSubject: caller.email.includes('@')
        ? `${caller.email.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${caller.email}`
        : undefined,
      serviceAccountDelegationInfo: caller.delegation
        ? [{ principalSubject: caller.delegation.subject }]
        : undefined,
    }),
    requestMetadata:
      caller.ip === ''
        ? undefined
        : call.k8s
          ? { callerIp: caller.ip, callerSuppliedUserAgent: caller.userAgent }
          : {
              callerIp: caller.ip,
              callerSuppliedUserAgent: caller.userAgent,
              requestAttributes: { time: requestTime, auth: {} },
              destinationAttributes: {},
            },
    serviceName: call.service,
    methodName: call.method,
    authorizationInfo,
    resourceName: call.resourceName,
    serviceData: call.serviceData,
    request: call.request,
    response: call.response,
    metadata: call.metadata,
    resourceLocation: call.location ? { currentLocations: [call.location] } : undefined,
  });
  const entry = compact({
    protoPayload,
    insertId: id,
    resource: { type: call.resource.type, labels: call.resource.labels },
    timestamp: requestTime,
    severity,
    labels: call.labels,
    logName: `projects/${projectId(project)}/logs/cloudaudit.googleapis.com%2F${call.logType}`,
    operation: call.k8s ? { id, producer: 'k8s.io', first: true, last: true } : undefined,
    receiveTimestamp: isoFraction(time + rng.int(150, 2500), 9, rng),
  });
  return { project, logType: call.logType, time, entry };
}

// ---- resources ----------------------------------------------------------------------------

export function projectResource(project: GcpProjectKey): GcpCall['resource'] {
  return { type: 'project', labels: { project_id: projectId(project) } };
}

export function clusterResource(project: GcpProjectKey): GcpCall['resource'] {
  const p = GCP_PROJECTS[project];
  return { type: 'k8s_cluster', labels: { cluster_name: p.cluster, location: p.region, project_id: p.id } };
}

// ---- calls --------------------------------------------------------------------------------

const K8S_GROUPS: Record<string, string> = {
  core: '',
  apps: 'apps',
  batch: 'batch',
  rbac: 'rbac.authorization.k8s.io',
  coordination: 'coordination.k8s.io',
};

/** A GKE API server audit entry (serviceName k8s.io) for `verb` on a namespaced object. */
export function k8sCall(
  project: GcpProjectKey,
  verb: string,
  group: keyof typeof K8S_GROUPS,
  kind: string,
  namespace: string,
  name: string | null,
  extra: {
    subresource?: string;
    request?: JsonObject;
    response?: JsonObject;
    reason?: string;
    decision?: string;
  } = {},
): GcpCall {
  const apiGroup = K8S_GROUPS[group] || 'core';
  const version = 'v1';
  const method = `io.k8s.${group === 'coordination' ? 'coordination' : group === 'rbac' ? 'authorization.rbac' : group}.${version}.${kind}${extra.subresource ? `.${extra.subresource}` : ''}.${verb}`;
  const resourceName = `${apiGroup}/${version}/namespaces/${namespace}/${kind}${name ? `/${name}` : ''}${extra.subresource ? `/${extra.subresource}` : ''}`;
  const read = verb === 'get' || verb === 'list' || verb === 'watch';
  return {
    logType: read ? 'data_access' : 'activity',
    service: 'k8s.io',
    method,
    resourceName,
    resource: clusterResource(project),
    permissions: [{ permission: method, resource: resourceName }],
    ...(extra.request ? { request: extra.request } : {}),
    ...(extra.response ? { response: extra.response } : {}),
    labels: {
      'authorization.k8s.io/decision': extra.decision ?? 'allow',
      'authorization.k8s.io/reason':
        extra.reason ??
        'RBAC: allowed by ClusterRoleBinding "gke-developers" of ClusterRole "edit" to Group "gke-developers@acme.example"',
    },
    k8s: true,
  };
}

export function podSpec(namespace: string, name: string, image: string, extra: JsonObject = {}): JsonObject {
  return {
    '@type': 'core.k8s.io/v1.Pod',
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name.split('-')[0] ?? name } },
    spec: {
      containers: [
        {
          name: name.split('-')[0] ?? name,
          image,
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
          ...extra,
        },
      ],
      restartPolicy: 'Always',
      serviceAccountName: 'default',
    },
  };
}

export function setIamPolicy(
  project: GcpProjectKey,
  bindings: { role: string; members: string[] }[],
  delta: { action: 'ADD' | 'REMOVE'; role: string; member: string }[],
  etag: string,
): GcpCall {
  const name = `projects/${projectId(project)}`;
  return {
    logType: 'activity',
    service: 'cloudresourcemanager.googleapis.com',
    method: 'SetIamPolicy',
    resourceName: name,
    resource: projectResource(project),
    permissions: [
      {
        permission: 'resourcemanager.projects.setIamPolicy',
        resource: name,
        type: 'cloudresourcemanager.googleapis.com/Project',
      },
    ],
    permissionType: 'ADMIN_WRITE',
    request: {
      '@type': 'type.googleapis.com/google.iam.v1.SetIamPolicyRequest',
      resource: projectId(project),
      policy: { bindings, etag },
    },
    response: {
      '@type': 'type.googleapis.com/google.iam.v1.Policy',
      bindings,
      etag: `${etag.slice(0, -2)}Q=`,
    },
    serviceData: {
      '@type': 'type.googleapis.com/google.iam.v1.logging.AuditData',
      policyDelta: { bindingDeltas: delta },
    },
  };
}

/** The project IAM policy before any change: who holds which role. */
export function basePolicy(project: GcpProjectKey): { role: string; members: string[] }[] {
  const p = GCP_PROJECTS[project];
  return [
    { role: 'roles/owner', members: ['group:gcp-admins@acme.example'] },
    {
      role: 'roles/editor',
      members: [
        `serviceAccount:${p.number}@cloudservices.gserviceaccount.com`,
        `serviceAccount:terraform@${p.id}.iam.gserviceaccount.com`,
      ],
    },
    { role: 'roles/container.developer', members: ['group:gke-developers@acme.example'] },
    { role: 'roles/bigquery.dataViewer', members: ['group:data-team@acme.example'] },
    { role: 'roles/viewer', members: ['group:engineering@acme.example'] },
  ];
}
