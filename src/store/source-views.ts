/**
 * Per-source views for analysts (`cloudtrail`, `gcp_audit`, `azure_activity`, `entra_signins`,
 * `entra_audit`): each exposes the native fields of its format, read from `events.raw`, beside the
 * event's id, time, source, account, origin and ingest time. Documented column by column in
 * docs/schema.md.
 *
 * The views must open in the stock DuckDB CLI or any DuckDB client, so they use built-in functions
 * only (JSON is built in): no macros, no extensions, and Python-style `lambda x: ...` (DuckDB has
 * deprecated the arrow form). This module builds its SQL with its own small helpers instead of the
 * normalizers' (src/normalize/azure-sql.ts): the text below is frozen as migration 7, so a change to
 * a normalizer must not silently change what a new store's views are. To change a view, add a
 * migration with `create or replace view`.
 *
 * Cost: each view parses a record once into a typed struct (CloudTrail, GCP) or, for the Azure
 * formats whose keys come in any case, into a MAP whose lower-cased keys are looked up (the same
 * technique as the normalizers, see azure-sql.ts). Filters on event_time, account or source are
 * pushed down to the events scan, so select them first.
 */

const EVENT_COLUMNS = 'event_id, event_time, source, account, origin, ingested_at';

/** Rows of one format, with the event columns and `raw`. */
function eventsOf(format: string): string {
  return `select ${EVENT_COLUMNS}, raw from events where format = '${format}'`;
}

function typeLiteral(type: object): string {
  return `'${JSON.stringify(type)}'`;
}

/** A JSON value that may be an object or JSON text inside a string, as JSON; JSON null as NULL. */
function unwrapJson(expr: string): string {
  return `(case
    when ${expr} is null or json_type(${expr}) = 'NULL' then null
    when json_type(${expr}) = 'VARCHAR' then try_cast(${expr} ->> '$' as json)
    else ${expr}
  end)`;
}

/** `''` as NULL: the clouds write empty strings for absent values. */
function nz(expr: string): string {
  return `nullif(${expr}, '')`;
}

// ---------------------------------------------------------------------------------------------
// AWS CloudTrail

const CLOUDTRAIL_TYPE = {
  eventVersion: 'VARCHAR',
  eventTime: 'VARCHAR',
  eventSource: 'VARCHAR',
  eventName: 'VARCHAR',
  awsRegion: 'VARCHAR',
  sourceIPAddress: 'VARCHAR',
  userAgent: 'VARCHAR',
  userIdentity: 'JSON',
  requestParameters: 'JSON',
  responseElements: 'JSON',
  additionalEventData: 'JSON',
  serviceEventDetails: 'JSON',
  resources: 'JSON',
  errorCode: 'VARCHAR',
  errorMessage: 'VARCHAR',
  requestID: 'VARCHAR',
  eventType: 'VARCHAR',
  eventCategory: 'VARCHAR',
  apiVersion: 'VARCHAR',
  readOnly: 'VARCHAR',
  managementEvent: 'VARCHAR',
  recipientAccountId: 'VARCHAR',
  sharedEventID: 'VARCHAR',
  vpcEndpointId: 'VARCHAR',
  tlsDetails: 'JSON',
  sessionCredentialFromConsole: 'VARCHAR',
  insightDetails: 'JSON',
};

const USER_IDENTITY_TYPE = {
  type: 'VARCHAR',
  arn: 'VARCHAR',
  accountId: 'VARCHAR',
  principalId: 'VARCHAR',
  userName: 'VARCHAR',
  accessKeyId: 'VARCHAR',
  invokedBy: 'VARCHAR',
  identityProvider: 'VARCHAR',
  sessionContext: {
    sessionIssuer: { arn: 'VARCHAR', userName: 'VARCHAR', type: 'VARCHAR' },
    attributes: { mfaAuthenticated: 'VARCHAR' },
    sourceIdentity: 'VARCHAR',
  },
};

const CLOUDTRAIL_VIEW = `create view cloudtrail as
select
  ${EVENT_COLUMNS},
  s.eventVersion as eventVersion,
  s.eventTime as eventTime,
  s.eventSource as eventSource,
  s.eventName as eventName,
  s.awsRegion as awsRegion,
  s.sourceIPAddress as sourceIPAddress,
  s.userAgent as userAgent,
  s.userIdentity as userIdentity,
  ${nz('ui.type')} as userIdentity_type,
  ${nz('ui.arn')} as userIdentity_arn,
  ${nz('ui.accountId')} as userIdentity_accountId,
  ${nz('ui.principalId')} as userIdentity_principalId,
  ${nz('ui.userName')} as userIdentity_userName,
  ${nz('ui.accessKeyId')} as userIdentity_accessKeyId,
  ${nz('ui.invokedBy')} as userIdentity_invokedBy,
  ${nz('ui.identityProvider')} as userIdentity_identityProvider,
  ${nz('ui.sessionContext.sessionIssuer.arn')} as userIdentity_sessionIssuerArn,
  ${nz('ui.sessionContext.sessionIssuer.userName')} as userIdentity_sessionIssuerUserName,
  try_cast(ui.sessionContext.attributes.mfaAuthenticated as boolean) as userIdentity_mfaAuthenticated,
  ${nz('ui.sessionContext.sourceIdentity')} as userIdentity_sourceIdentity,
  ${unwrapJson('s.requestParameters')} as requestParameters,
  ${unwrapJson('s.responseElements')} as responseElements,
  ${unwrapJson('s.additionalEventData')} as additionalEventData,
  ${unwrapJson('s.serviceEventDetails')} as serviceEventDetails,
  ${unwrapJson('s.resources')} as resources,
  ${nz('s.errorCode')} as errorCode,
  ${nz('s.errorMessage')} as errorMessage,
  s.requestID as requestID,
  s.eventType as eventType,
  s.eventCategory as eventCategory,
  s.apiVersion as apiVersion,
  try_cast(s.readOnly as boolean) as readOnly,
  try_cast(s.managementEvent as boolean) as managementEvent,
  s.recipientAccountId as recipientAccountId,
  ${nz('s.sharedEventID')} as sharedEventID,
  ${nz('s.vpcEndpointId')} as vpcEndpointId,
  ${unwrapJson('s.tlsDetails')} as tlsDetails,
  try_cast(s.sessionCredentialFromConsole as boolean) as sessionCredentialFromConsole,
  ${unwrapJson('s.insightDetails')} as insightDetails,
  raw
from (
  select ${EVENT_COLUMNS}, raw, s, json_transform(s.userIdentity, ${typeLiteral(USER_IDENTITY_TYPE)}) as ui
  from (
    select ${EVENT_COLUMNS}, raw, json_transform(raw, ${typeLiteral(CLOUDTRAIL_TYPE)}) as s
    from (${eventsOf('cloudtrail')})
  )
)`;

// ---------------------------------------------------------------------------------------------
// Google Cloud audit logs

const GCP_TYPE = {
  logName: 'VARCHAR',
  insertId: 'VARCHAR',
  timestamp: 'VARCHAR',
  receiveTimestamp: 'VARCHAR',
  severity: 'VARCHAR',
  resource: { type: 'VARCHAR', labels: 'JSON' },
  labels: 'JSON',
  operation: 'JSON',
  trace: 'VARCHAR',
  protoPayload: {
    '@type': 'VARCHAR',
    serviceName: 'VARCHAR',
    methodName: 'VARCHAR',
    resourceName: 'VARCHAR',
    authenticationInfo: {
      principalEmail: 'VARCHAR',
      principalSubject: 'VARCHAR',
      serviceAccountKeyName: 'VARCHAR',
      serviceAccountDelegationInfo: 'JSON',
    },
    requestMetadata: {
      callerIp: 'VARCHAR',
      callerSuppliedUserAgent: 'VARCHAR',
      callerNetwork: 'VARCHAR',
    },
    status: { code: 'INTEGER', message: 'VARCHAR' },
    authorizationInfo: 'JSON',
    request: 'JSON',
    response: 'JSON',
    metadata: 'JSON',
    serviceData: 'JSON',
    resourceLocation: 'JSON',
    numResponseItems: 'VARCHAR',
  },
};

const GCP_VIEW = `create view gcp_audit as
select
  ${EVENT_COLUMNS},
  e.logName as logName,
  e.insertId as insertId,
  e.timestamp as "timestamp",
  e.receiveTimestamp as receiveTimestamp,
  e.severity as severity,
  e.resource.type as resource_type,
  ${unwrapJson('e.resource.labels')} as resource_labels,
  ${nz("e.resource.labels ->> '$.project_id'")} as project_id,
  ${unwrapJson('e.labels')} as labels,
  ${unwrapJson('e.operation')} as operation,
  e.trace as trace,
  e.protoPayload."@type" as payload_type,
  e.protoPayload.serviceName as serviceName,
  e.protoPayload.methodName as methodName,
  e.protoPayload.resourceName as resourceName,
  ${nz('e.protoPayload.authenticationInfo.principalEmail')} as principalEmail,
  ${nz('e.protoPayload.authenticationInfo.principalSubject')} as principalSubject,
  ${nz('e.protoPayload.authenticationInfo.serviceAccountKeyName')} as serviceAccountKeyName,
  ${unwrapJson('e.protoPayload.authenticationInfo.serviceAccountDelegationInfo')} as serviceAccountDelegationInfo,
  ${nz('e.protoPayload.requestMetadata.callerIp')} as callerIp,
  ${nz('e.protoPayload.requestMetadata.callerSuppliedUserAgent')} as callerSuppliedUserAgent,
  ${nz('e.protoPayload.requestMetadata.callerNetwork')} as callerNetwork,
  coalesce(e.protoPayload.status.code, 0) as status_code,
  ${nz('e.protoPayload.status.message')} as status_message,
  ${unwrapJson('e.protoPayload.authorizationInfo')} as authorizationInfo,
  ${unwrapJson('e.protoPayload.request')} as request,
  ${unwrapJson('e.protoPayload.response')} as response,
  ${unwrapJson('e.protoPayload.metadata')} as metadata,
  ${unwrapJson('e.protoPayload.serviceData')} as serviceData,
  ${unwrapJson('e.protoPayload.resourceLocation')} as resourceLocation,
  try_cast(e.protoPayload.numResponseItems as bigint) as numResponseItems,
  raw
from (
  select ${EVENT_COLUMNS}, raw, json_transform(raw, ${typeLiteral(GCP_TYPE)}) as e
  from (${eventsOf('gcp_audit')})
)`;

// ---------------------------------------------------------------------------------------------
// Azure: keys in any case (diagnostic exports in camelCase, Log Analytics rows in PascalCase)

/** MAP(VARCHAR, VARCHAR) of a JSON object (JSON, or text holding one), NULL when not an object. */
function objectMap(json: string): string {
  return `try(json_transform(${json}, '"MAP(VARCHAR, VARCHAR)"'))`;
}

/** Case-insensitive index of a MAP column: lower-cased keys `k`, values `v` (text). */
function keyIndex(map: string): string {
  return `{'k': list_transform(map_keys(${map}), lambda key_: lower(key_)), 'v': map_values(${map})}`;
}

function position(index: string, name: string): string {
  return `list_position(${index}.k, '${name.toLowerCase()}')`;
}

/** Text of the first of `names` present and not blank (any key case), else NULL. */
function text(index: string, ...names: string[]): string {
  const arms = names.map((n) => `nullif(trim(${index}.v[${position(index, n)}]), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/** Whether `name` is a key of `index` (any case). */
function has(index: string, name: string): string {
  return `(${position(index, name)} is not null)`;
}

/** The value of the first of `names` present as JSON (objects, arrays, or JSON text in a string). */
function json(index: string, ...names: string[]): string {
  const arms = names.map((n) => `try_cast(${index}.v[${position(index, n)}] as json)`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

function integer(expr: string): string {
  return `try_cast(try_cast(${expr} as double) as integer)`;
}

function bool(expr: string): string {
  return `try_cast(${expr} as boolean)`;
}

/** Exact key of a MAP (claim URIs are case-exact). */
function exact(map: string, ...keys: string[]): string {
  const arms = keys.map((k) => `nullif(trim(${map}['${k}']), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/** The record's MAP `rm` and index `ro`, plus `shape`. */
function azureBase(format: string): string {
  return `select ${EVENT_COLUMNS}, raw, rm, ${keyIndex('rm')} as ro
    from (select ${EVENT_COLUMNS}, raw, ${objectMap('raw')} as rm from (${eventsOf(format)}))`;
}

const SHAPE = `case when ${has('ro', 'TimeGenerated')} then 'log_analytics' else 'diagnostic' end`;

const CLAIM_UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const CLAIM_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const CLAIM_OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

const AZURE_ACTIVITY_VIEW = `create view azure_activity as
select
  ${EVENT_COLUMNS},
  ${SHAPE} as shape,
  ${text('ro', 'time', 'TimeGenerated')} as time,
  ${text('ro', 'resourceId', '_ResourceId')} as resourceId,
  coalesce(${text('ro', 'OperationNameValue')}, ${text('ro', 'operationName')}) as operationName,
  coalesce(${text('ro', 'CategoryValue')}, ${text('ro', 'category')}) as category,
  coalesce(${text('ro', 'ActivityStatusValue')}, ${text('ro', 'resultType')}, ${text('ro', 'ActivityStatus')}) as resultType,
  coalesce(${text('ro', 'ActivitySubstatusValue')}, ${text('ro', 'resultSignature')}) as resultSignature,
  ${text('ro', 'resultDescription')} as resultDescription,
  ${text('ro', 'level')} as level,
  ${text('ro', 'location')} as location,
  ${text('ro', 'callerIpAddress')} as callerIpAddress,
  ${text('ro', 'caller')} as caller,
  ${exact('claims', CLAIM_UPN, CLAIM_NAME, 'upn')} as claims_upn,
  ${exact('claims', CLAIM_OID, 'oid')} as claims_objectId,
  ${exact('claims', 'appid', 'azp')} as claims_appId,
  ${text('ro', 'correlationId')} as correlationId,
  coalesce(${text('ro', 'eventDataId')}, ${text('p', 'eventDataId')}) as eventDataId,
  coalesce(
    lower(${text('ro', 'SubscriptionId')}),
    nullif(regexp_extract(lower(${text('ro', 'resourceId', '_ResourceId')}), '^/subscriptions/([^/]+)', 1), '')
  ) as subscriptionId,
  coalesce(
    ${text('ro', 'ResourceGroup')},
    nullif(regexp_extract(${text('ro', 'resourceId', '_ResourceId')}, '/resourceGroups/([^/]+)', 1, 'i'), '')
  ) as resourceGroup,
  coalesce(
    ${text('ro', 'ResourceProviderValue')},
    nullif(split_part(coalesce(${text('ro', 'OperationNameValue')}, ${text('ro', 'operationName')}), '/', 1), '')
  ) as resourceProvider,
  case when not ${has('ro', 'TimeGenerated')} then ${text('ro', 'tenantId')} end as tenantId,
  ${integer(text('ro', 'durationMs'))} as durationMs,
  ${json('ro', 'identity')} as identity,
  try_cast(claims_text as json) as claims,
  try_cast(authorization_text as json) as "authorization",
  ${json('ro', 'properties', 'Properties_d')} as properties,
  ${json('ro', 'HTTPRequest', 'httpRequest')} as httpRequest,
  raw
from (
  select *, ${objectMap('claims_text')} as claims
  from (
    select
      ${EVENT_COLUMNS}, raw, ro, p,
      -- Key Vault AuditEvent records name it identity.claim (singular).
      coalesce(
        identity.v[${position('identity', 'claims')}],
        identity.v[${position('identity', 'claim')}],
        ${text('ro', 'Claims_d', 'Claims')}
      ) as claims_text,
      coalesce(identity.v[${position('identity', 'authorization')}], ${text('ro', 'Authorization_d', 'Authorization')}) as authorization_text
    from (
      select
        ${EVENT_COLUMNS}, raw, ro,
        ${keyIndex('p_map')} as p,
        ${keyIndex('identity_map')} as identity
      from (
        select
          ${EVENT_COLUMNS}, raw, ro,
          ${objectMap(`coalesce(ro.v[${position('ro', 'properties')}], ro.v[${position('ro', 'Properties_d')}])`)} as p_map,
          ${objectMap(`ro.v[${position('ro', 'identity')}]`)} as identity_map
        from (${azureBase('azure_activity')})
      )
    )
  )
)`;

const ENTRA_SIGNINS_VIEW = `create view entra_signins as
select
  ${EVENT_COLUMNS},
  shape,
  ${text('ro', 'time', 'TimeGenerated')} as time,
  coalesce(${text('ro', 'category')}, ${text('ro', 'Type')}) as category,
  ${text('ro', 'operationName')} as operationName,
  ${text('ro', 'resultType')} as resultType,
  ${text('ro', 'resultDescription')} as resultDescription,
  coalesce(${text('ro', 'correlationId')}, ${text('p', 'correlationId')}) as correlationId,
  coalesce(${text('ro', 'AADTenantId')}, case when shape = 'diagnostic' then ${text('ro', 'tenantId')} end) as tenantId,
  ${text('p', 'id')} as id,
  ${text('p', 'createdDateTime')} as createdDateTime,
  ${text('p', 'userPrincipalName')} as userPrincipalName,
  ${text('p', 'userId')} as userId,
  ${text('p', 'userDisplayName')} as userDisplayName,
  ${text('p', 'userType')} as userType,
  ${text('p', 'appId')} as appId,
  ${text('p', 'appDisplayName')} as appDisplayName,
  ${text('p', 'resourceDisplayName')} as resourceDisplayName,
  coalesce(${text('p', 'resourceIdentity')}, case when shape = 'diagnostic' then ${text('p', 'resourceId')} end) as resourceId,
  ${text('p', 'servicePrincipalId')} as servicePrincipalId,
  ${text('p', 'servicePrincipalName')} as servicePrincipalName,
  coalesce(${text('p', 'ipAddress', 'IPAddress')}, ${text('ro', 'callerIpAddress')}) as ipAddress,
  ${text('p', 'userAgent')} as userAgent,
  ${text('p', 'clientAppUsed')} as clientAppUsed,
  ${bool(text('p', 'isInteractive'))} as isInteractive,
  ${text('p', 'authenticationRequirement')} as authenticationRequirement,
  ${text('p', 'conditionalAccessStatus')} as conditionalAccessStatus,
  ${text('p', 'riskLevelDuringSignIn')} as riskLevelDuringSignIn,
  ${text('p', 'riskLevelAggregated')} as riskLevelAggregated,
  ${text('p', 'riskState')} as riskState,
  ${text('p', 'riskDetail')} as riskDetail,
  coalesce(${integer(text('status', 'errorCode'))}, ${integer(text('ro', 'resultType'))}) as status_errorCode,
  coalesce(${text('status', 'failureReason')}, ${text('ro', 'resultDescription')}) as status_failureReason,
  ${text('status', 'additionalDetails')} as status_additionalDetails,
  ${text('p', 'tokenIssuerType')} as tokenIssuerType,
  ${text('p', 'tokenIssuerName')} as tokenIssuerName,
  ${text('p', 'homeTenantId')} as homeTenantId,
  ${text('p', 'resourceTenantId')} as resourceTenantId,
  ${text('p', 'crossTenantAccessType')} as crossTenantAccessType,
  ${text('geo', 'countryOrRegion')} as location_countryOrRegion,
  ${text('geo', 'state')} as location_state,
  ${text('geo', 'city')} as location_city,
  ${text('device', 'operatingSystem')} as deviceDetail_operatingSystem,
  ${text('device', 'browser')} as deviceDetail_browser,
  ${text('device', 'deviceId')} as deviceDetail_deviceId,
  ${json('p', 'status')} as status,
  ${json('p', 'deviceDetail')} as deviceDetail,
  ${json('p', 'locationDetails', 'location')} as locationDetails,
  ${json('p', 'mfaDetail')} as mfaDetail,
  ${json('p', 'appliedConditionalAccessPolicies')} as appliedConditionalAccessPolicies,
  ${json('p', 'authenticationDetails')} as authenticationDetails,
  properties,
  raw
from (
  select
    *,
    ${keyIndex('status_map')} as status,
    ${keyIndex('device_map')} as device,
    ${keyIndex('geo_map')} as geo
  from (
    select
      *,
      ${objectMap(`p.v[${position('p', 'status')}]`)} as status_map,
      ${objectMap(`p.v[${position('p', 'deviceDetail')}]`)} as device_map,
      ${objectMap(`coalesce(p.v[${position('p', 'locationDetails')}], p.v[${position('p', 'location')}])`)} as geo_map
    from (
      select ${EVENT_COLUMNS}, raw, ro, shape, properties, ${keyIndex('p_map')} as p
      from (
        select
          ${EVENT_COLUMNS}, raw, ro, ${SHAPE} as shape,
          -- Log Analytics rows carry the sign-in's fields as top-level columns.
          coalesce(${objectMap(`ro.v[${position('ro', 'properties')}]`)}, rm) as p_map,
          coalesce(try_cast(ro.v[${position('ro', 'properties')}] as json), raw) as properties
        from (${azureBase('entra_signin')})
      )
    )
  )
)`;

/** VARCHAR[] of, per targetResources entry, the first non-blank of `names`. */
function targetList(...names: string[]): string {
  return `coalesce(list_filter(list_transform(targets, lambda t: ${text('t', ...names)}), lambda x: x is not null), []::varchar[])`;
}

const ENTRA_AUDIT_VIEW = `create view entra_audit as
select
  ${EVENT_COLUMNS},
  shape,
  ${text('ro', 'time', 'TimeGenerated')} as time,
  ${text('ro', 'operationName')} as operationName,
  coalesce(${text('ro', 'correlationId')}, ${text('p', 'correlationId')}) as correlationId,
  coalesce(${text('ro', 'AADTenantId')}, case when shape = 'diagnostic' then ${text('ro', 'tenantId')} end) as tenantId,
  ${text('ro', 'callerIpAddress')} as callerIpAddress,
  ${text('p', 'id')} as id,
  ${text('p', 'activityDateTime')} as activityDateTime,
  ${text('p', 'activityDisplayName')} as activityDisplayName,
  ${text('p', 'category')} as category,
  coalesce(${text('p', 'operationType')}, ${text('ro', 'AADOperationType')}) as operationType,
  ${text('p', 'result')} as result,
  ${text('p', 'resultReason')} as resultReason,
  coalesce(${text('p', 'resultDescription')}, ${text('ro', 'resultDescription')}) as resultDescription,
  ${text('p', 'loggedByService')} as loggedByService,
  ${text('usr', 'userPrincipalName')} as initiatedBy_userPrincipalName,
  ${text('usr', 'id')} as initiatedBy_userId,
  ${text('usr', 'displayName')} as initiatedBy_userDisplayName,
  ${text('usr', 'ipAddress')} as initiatedBy_ipAddress,
  ${text('app', 'displayName')} as initiatedBy_appDisplayName,
  ${text('app', 'appId')} as initiatedBy_appId,
  ${text('app', 'servicePrincipalId')} as initiatedBy_servicePrincipalId,
  ${text('app', 'servicePrincipalName')} as initiatedBy_servicePrincipalName,
  ${targetList('userPrincipalName', 'displayName', 'id')} as targetResources_names,
  ${targetList('id')} as targetResources_ids,
  ${targetList('type')} as targetResources_types,
  ${json('p', 'initiatedBy')} as initiatedBy,
  ${json('p', 'targetResources')} as targetResources,
  ${json('p', 'additionalDetails')} as additionalDetails,
  properties,
  raw
from (
  select
    *,
    ${keyIndex('usr_map')} as usr,
    ${keyIndex('app_map')} as app,
    list_transform(target_maps, lambda t: ${keyIndex('t')}) as targets
  from (
    select
      *,
      ${objectMap(`initiated.v[${position('initiated', 'user')}]`)} as usr_map,
      ${objectMap(`initiated.v[${position('initiated', 'app')}]`)} as app_map,
      try(json_transform(p.v[${position('p', 'targetResources')}], '["MAP(VARCHAR, VARCHAR)"]')) as target_maps
    from (
      select *, ${keyIndex('initiated_map')} as initiated
      from (
        select *, ${objectMap(`p.v[${position('p', 'initiatedBy')}]`)} as initiated_map
        from (
          select ${EVENT_COLUMNS}, raw, ro, shape, properties, ${keyIndex('p_map')} as p
          from (
            select
              ${EVENT_COLUMNS}, raw, ro, ${SHAPE} as shape,
              -- Log Analytics rows carry the audit fields as top-level columns.
              coalesce(${objectMap(`ro.v[${position('ro', 'properties')}]`)}, rm) as p_map,
              coalesce(try_cast(ro.v[${position('ro', 'properties')}] as json), raw) as properties
            from (${azureBase('entra_audit')})
          )
        )
      )
    )
  )
)`;

/** The views, in creation order. */
export const SOURCE_VIEW_NAMES = [
  'cloudtrail',
  'gcp_audit',
  'azure_activity',
  'entra_signins',
  'entra_audit',
] as const;

/** Migration 7: creates the per-source views (a frozen text; see the module comment). */
export const SOURCE_VIEWS_SQL = [
  CLOUDTRAIL_VIEW,
  GCP_VIEW,
  AZURE_ACTIVITY_VIEW,
  ENTRA_SIGNINS_VIEW,
  ENTRA_AUDIT_VIEW,
]
  .map((sql) => `${sql};`)
  .join('\n\n');
