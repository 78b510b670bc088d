import type { RecordFormat } from './record-format.js';

/*
 * Google Cloud audit logs: one Cloud Logging LogEntry whose protoPayload is an AuditLog, in the
 * JSON that `gcloud logging read --format=json`, log sink exports and entries.list all share.
 *
 * Decisions (where the record leaves room):
 * - event_id is insertId verbatim. Cloud Logging only promises it unique per log and timestamp;
 *   its ids are random enough that a collision across logs is not worth a composite key.
 * - event_time is `timestamp` (RFC 3339, nanoseconds truncated to microseconds). Cloud Logging
 *   writes UTC only, so a value whose zone a tool stripped is read as UTC, never in the machine's
 *   time zone; a date without a time is rejected. receiveTimestamp is used only when `timestamp`
 *   is absent: a present but unparseable value is a problem, not a fallback.
 * - account is resource.labels.project_id (a bare project id), else the parent in logName: a
 *   project as its bare id too (so both paths agree), an organization, folder or billing account
 *   with its collection prefix ('organizations/123') so a number is never taken for a project.
 * - region is resource.labels location, region or zone, else the resource's first current
 *   location, as written ('global', 'us-central1', 'us-central1-a').
 * - log_type is the audit log kind from logName (activity, data_access, system_event, policy,
 *   access_transparency), URL-encoded or not; NULL when logName is absent.
 * - actor is principalEmail, else principalSubject without its 'user:'/'serviceAccount:' prefix
 *   (so one identity has one spelling), else the last principal of the delegation chain.
 *   actor_issuer is the chain's first principal (who impersonated the actor) when it differs
 *   from the actor. A service account key is a credential, not an issuer: details.sa_key.
 * - actor_type: 'service' for *.gserviceaccount.com, Kubernetes 'system:*' identities and
 *   system@google.com (Google's own hand in system events, which is also assumed when a system
 *   event names no principal); 'anonymous' for system:anonymous, system:unauthenticated and a
 *   request (it has a callerIp) without a principal; 'federated' for principal:// and
 *   principalSet:// identities and GKE workload identities (PROJECT.svc.id.goog[ns/ksa]); else
 *   'user'. NULL when there is neither a principal nor a caller.
 * - source_ip keeps callerIp as recorded, including 'private' and 'gce-internal-ip': they say the
 *   call came from inside Google's or the customer's network, which a NULL would hide.
 * - outcome follows status.code only (absent or 0: success). error_code is the google.rpc.Code
 *   name, or the number when outside 1..16; error_message is status.message on failures only
 *   (system events put informational text there).
 * - resources: resourceName first, then the other names authorizationInfo checked and the
 *   resources a VPC Service Controls denial names (metadata.resourceNames), distinct and sorted,
 *   so the list is stable.
 * - GKE (k8s.io): the namespace, resource, name and subresource are read from resourceName
 *   ('core/v1/namespaces/prod/pods/web-1/exec'), the cluster from resource.labels.cluster_name.
 * - details (NULL members dropped): resource_type, severity, authorization_granted (all checks
 *   granted), permissions_denied, sa_key, operation {id, first, last}, policy_violation (VPC
 *   Service Controls reason), k8s_cluster, k8s_namespace, k8s_resource, k8s_name,
 *   k8s_subresource, k8s_decision.
 *
 * Where we differ from Elastic's gcp.audit pipeline, on purpose:
 * - outcome: Elastic says 'unknown' when status is absent and 'failure' when status is absent but
 *   an authorization check was not granted. A missing status means the call was accepted (the
 *   first entry of a long-running operation, a list that returned items); denials carry code 7.
 * - source.ip: Elastic drops 'private' / 'gce-internal-ip' (its field is IP-typed); we keep them.
 * - Elastic maps no region; we take the resource's location.
 */

// One json_transform over the whole entry: only the fields read below, typed, so DuckDB parses
// each record once and skips request/response bodies.
const ENTRY_TYPE = {
  insertId: 'VARCHAR',
  logName: 'VARCHAR',
  timestamp: 'VARCHAR',
  receiveTimestamp: 'VARCHAR',
  severity: 'VARCHAR',
  resource: {
    type: 'VARCHAR',
    labels: {
      project_id: 'VARCHAR',
      location: 'VARCHAR',
      region: 'VARCHAR',
      zone: 'VARCHAR',
      cluster_name: 'VARCHAR',
    },
  },
  labels: { 'authorization.k8s.io/decision': 'VARCHAR' },
  operation: { id: 'VARCHAR', first: 'BOOLEAN', last: 'BOOLEAN' },
  protoPayload: {
    serviceName: 'VARCHAR',
    methodName: 'VARCHAR',
    resourceName: 'VARCHAR',
    authenticationInfo: {
      principalEmail: 'VARCHAR',
      principalSubject: 'VARCHAR',
      serviceAccountKeyName: 'VARCHAR',
      serviceAccountDelegationInfo: [
        { principalSubject: 'VARCHAR', firstPartyPrincipal: { principalEmail: 'VARCHAR' } },
      ],
    },
    authorizationInfo: [
      {
        resource: 'VARCHAR',
        permission: 'VARCHAR',
        granted: 'BOOLEAN',
        resourceAttributes: { name: 'VARCHAR' },
      },
    ],
    requestMetadata: { callerIp: 'VARCHAR', callerSuppliedUserAgent: 'VARCHAR' },
    status: { code: 'BIGINT', message: 'VARCHAR' },
    resourceLocation: { currentLocations: ['VARCHAR'] },
    metadata: { violationReason: 'VARCHAR', resourceNames: ['VARCHAR'] },
  },
} as const;

// google.rpc.Code names for codes 1..16 (0 is OK), indexed by code (DuckDB lists are 1-based).
const RPC_CODES = [
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

const rpcCodeList = `[${RPC_CODES.map((c) => `'${c}'`).join(', ')}]`;

// Strips the IAM member prefix that principalSubject carries and principalEmail does not.
const stripMember = (expr: string) => `regexp_replace(nullif(${expr}, ''), '^(user|serviceAccount):', '')`;

// RFC 3339 text to TIMESTAMPTZ, NULL when unparseable; a zone-less value is UTC (see above).
const utcTime = (expr: string) => `case
          when substr(${expr}, 11, 1) not in ('T', ' ') then null
          when right(${expr}, 1) = 'Z' or substr(${expr}, -6, 1) in ('+', '-') then try_cast(${expr} as timestamptz)
          else try_cast(${expr} || 'Z' as timestamptz)
        end`;

export const gcpAuditFormat: RecordFormat = {
  id: 'gcp_audit',
  source: 'gcp',
  description: 'Google Cloud audit log entry (Cloud Logging LogEntry with an AuditLog payload, incl. GKE)',
  matchSql: `(contains(json_extract_string(r, '$.logName'), 'cloudaudit.googleapis.com') or json_extract_string(r, '$.protoPayload."@type"') = '${AUDIT_LOG_TYPE}')`,
  projection: (input) => `select
  origin,
  position,
  r as raw,
  event_id,
  event_time,
  coalesce(
    nullif(project_id, ''),
    case
      when parent.kind = 'projects' then parent.id
      when parent.kind <> '' then parent.kind || '/' || parent.id
    end
  ) as account,
  region,
  service,
  action,
  log_type,
  actor,
  case
    when actor in ('system:anonymous', 'system:unauthenticated') then 'anonymous'
    when actor like 'system:%' or actor like '%.gserviceaccount.com' or actor = 'system@google.com' then 'service'
    when actor like 'principal://%' or actor like 'principalSet://%' or actor like '%.svc.id.goog[%' then 'federated'
    when actor is not null then 'user'
    when source_ip is not null then 'anonymous'
    when log_type = 'system_event' then 'service'
  end as actor_type,
  nullif(first_delegate, actor) as actor_issuer,
  source_ip,
  user_agent,
  case
    when coalesce(status_code, 0) = 0 then 'success'
    else 'failure'
  end as outcome,
  case
    when coalesce(status_code, 0) = 0 then null
    when status_code between 1 and 16 then ${rpcCodeList}[status_code]
    else status_code::varchar
  end as error_code,
  case
    when coalesce(status_code, 0) <> 0 then nullif(status_message, '')
  end as error_message,
  null::boolean as mfa,
  case
    when resource_name is null then other_resources
    else list_prepend(resource_name, other_resources)
  end as resources,
  json_merge_patch('{}', json_object(
    'resource_type', resource_type,
    'severity', severity,
    'authorization_granted', list_bool_and(list_transform(authz, lambda a: a.granted)),
    'permissions_denied', nullif(list_sort(list_distinct(list_transform(list_filter(authz, lambda a: not a.granted), lambda a: a.permission))), []),
    'sa_key', sa_key,
    'operation', case when operation.id is not null then json_object('id', operation.id, 'first', operation.first, 'last', operation.last) end,
    'policy_violation', policy_violation,
    'k8s_cluster', k8s_cluster,
    'k8s_namespace', case when k8s_offset is not null and k8s_path[3] = 'namespaces' then k8s_path[4] end,
    'k8s_resource', k8s_path[k8s_offset],
    'k8s_name', k8s_path[k8s_offset + 1],
    'k8s_subresource', k8s_path[k8s_offset + 2],
    'k8s_decision', k8s_decision
  )) as details
from (
  select
    *,
    list_sort(list_distinct(list_filter(
      list_concat(
        list_transform(authz, lambda a: a.resource),
        list_transform(authz, lambda a: a.resourceAttributes.name),
        policy_resources
      ),
      lambda n: n <> '' and n is distinct from resource_name
    ))) as other_resources,
    -- group/version[/namespaces/NS]/resource[/name[/subresource]]; non-resource paths ('readyz', 'api/v1') have no version second
    case
      when k8s_path[2] like 'v%' then case when k8s_path[3] = 'namespaces' and len(k8s_path) >= 5 then 5 else 3 end
    end as k8s_offset
  from (
    select
      origin,
      position,
      r,
      nullif(e.insertId, '') as event_id,
      case
        when e.timestamp is null then ${utcTime('e.receiveTimestamp')}
        else ${utcTime('e.timestamp')}
      end as event_time,
      e.resource.labels.project_id as project_id,
      regexp_extract(e.logName, '^(projects|organizations|folders|billingAccounts)/([^/]+)', ['kind', 'id']) as parent,
      nullif(coalesce(
        nullif(e.resource.labels.location, ''),
        nullif(e.resource.labels.region, ''),
        nullif(e.resource.labels.zone, ''),
        e.protoPayload.resourceLocation.currentLocations[1]
      ), '') as region,
      nullif(e.protoPayload.serviceName, '') as service,
      nullif(e.protoPayload.methodName, '') as action,
      nullif(lower(regexp_extract(e.logName, 'cloudaudit\\.googleapis\\.com(?:%2[Ff]|/)(\\w+)', 1)), '') as log_type,
      coalesce(
        nullif(e.protoPayload.authenticationInfo.principalEmail, ''),
        ${stripMember('e.protoPayload.authenticationInfo.principalSubject')},
        nullif(e.protoPayload.authenticationInfo.serviceAccountDelegationInfo[-1].firstPartyPrincipal.principalEmail, ''),
        ${stripMember('e.protoPayload.authenticationInfo.serviceAccountDelegationInfo[-1].principalSubject')}
      ) as actor,
      coalesce(
        nullif(e.protoPayload.authenticationInfo.serviceAccountDelegationInfo[1].firstPartyPrincipal.principalEmail, ''),
        ${stripMember('e.protoPayload.authenticationInfo.serviceAccountDelegationInfo[1].principalSubject')}
      ) as first_delegate,
      nullif(e.protoPayload.requestMetadata.callerIp, '') as source_ip,
      nullif(e.protoPayload.requestMetadata.callerSuppliedUserAgent, '') as user_agent,
      e.protoPayload.status.code as status_code,
      e.protoPayload.status.message as status_message,
      nullif(e.protoPayload.resourceName, '') as resource_name,
      e.protoPayload.authorizationInfo as authz,
      e.resource.type as resource_type,
      e.severity as severity,
      nullif(e.protoPayload.authenticationInfo.serviceAccountKeyName, '') as sa_key,
      e.operation as operation,
      e.protoPayload.metadata.violationReason as policy_violation,
      e.protoPayload.metadata.resourceNames as policy_resources,
      nullif(e.resource.labels.cluster_name, '') as k8s_cluster,
      case
        when e.protoPayload.serviceName = 'k8s.io' or e.resource.type = 'k8s_cluster' then string_split(e.protoPayload.resourceName, '/')
      end as k8s_path,
      e.labels."authorization.k8s.io/decision" as k8s_decision
    from (
      select
        origin,
        position,
        r,
        json_transform(r, '${JSON.stringify(ENTRY_TYPE)}') as e
      from ${input}
    )
  )
)`,
};
