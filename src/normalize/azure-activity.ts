import {
  azureTimeSql,
  compactObject,
  exactText,
  field,
  hasField,
  integerSql,
  jsonTypeOf,
  keyIndex,
  localizableText,
  mayContain,
  nonEmptyList,
  objectMap,
  providerFromResourceId,
  subscriptionFromResourceId,
  tenantFromResourceId,
  textField,
  withObject,
} from './azure-sql.js';
import type { RecordFormat } from './record-format.js';

/*
 * Azure Activity Log, and every other Azure resource-log record that no more specific format claims.
 *
 * Shapes: diagnostic-settings records (Event Hub / storage: time, resourceId, operationName,
 * category, resultType, resultSignature, callerIpAddress, correlationId, identity {authorization,
 * claims}, level, location, properties, durationMs) and Log Analytics AzureActivity rows
 * (TimeGenerated, OperationNameValue, CategoryValue, ActivityStatusValue, Caller, CallerIpAddress,
 * SubscriptionId, _ResourceId, EventDataId, Claims, Authorization, Properties as JSON text).
 *
 * Matched by: Type AzureActivity, or OperationNameValue, or operationName with category or
 * resourceId. The last arm deliberately also takes Entra ID resource logs that have no format of
 * their own (Graph activity, identity protection risky users / risk events, provisioning, ...):
 * they share the envelope, so the generic mapping below gives a usable event (time, tenant, action,
 * caller IP, user from properties) instead of an "unrecognized" problem.
 *
 * Mapping decisions:
 * - event_id: eventDataId (LA EventDataId, or properties.eventDataId). Diagnostic exports carry no
 *   unique id, so we derive 'sha256:' || sha256 of a JSON array of correlationId, operationName,
 *   event time (as parsed, so time spellings do not matter), resourceId, resultType, resultSignature,
 *   category (all lowercased: Azure compares them case-insensitively and exporters change case) and
 *   the properties object. The same record seen again gets the same id; the Start/Accept/Success
 *   records of one operation differ by resultType and time; Policy records that share all the
 *   envelope fields differ in properties (policies evaluated). JSON array encoding, unlike a
 *   delimiter join, cannot make two different field lists hash the same text.
 * - event_time: time / TimeGenerated (UTC; ISO or US style).
 * - account: subscription id (lowercase) from resourceId or SubscriptionId; for tenant-scoped
 *   records (/tenants/<id>/...) the tenant id, so Entra resource logs land in the same account as
 *   sign-in and audit events.
 * - region: location as recorded ('eastus', 'global', 'West Europe'); NULL when absent.
 * - service: the provider prefix of operationName ('Microsoft.Network'), else ResourceProviderValue,
 *   else the provider in resourceId, in the record's case, like `action`: compare with lower().
 * - action: operationName / OperationNameValue as recorded (LA OperationName is a localized title);
 *   the REST API's {"value", "localizedValue"} object gives its value (also for category, and for
 *   status, read for the outcome when there is no resultType). The derived event id still hashes
 *   the recorded text, so ids of stored events do not change.
 * - log_type: category / CategoryValue.
 * - actor: Caller (LA), else the claims UPN (upn or name URI claim), else the caller's object id
 *   (objectidentifier claim: the same id LA writes in Caller for service principals and Entra logs
 *   use for servicePrincipalId), else appid, else properties.userPrincipalName / userId (Entra
 *   resource logs), else a plain-string `identity` (a display name).
 * - actor_type: claims idtyp, else user claims -> user, else authorization principalType, else
 *   Caller shape (UPN -> user, GUID -> service), else appid alone -> service.
 * - actor_issuer: identityprovider claim, else iss (a guest's home IdP shows here).
 * - source_ip: callerIpAddress, else properties.ipAddress, as recorded: Elastic drops values that
 *   do not parse as an IP ('127.0.0.0/8'); we keep what the record says.
 * - outcome: resultType (else the REST API's status): Success/Succeeded -> success, Failure/Failed ->
 *   failure, anything else (Start, Accept, Updated, Skipped, sign-in style '0') -> unknown. error_code / error_message on failure:
 *   resultSignature (else properties.statusCode, else the statusMessage error code) and
 *   resultDescription (else the statusMessage error message).
 * - mfa: NULL (an Activity record does not say). resources: [resourceId as recorded].
 */

const CLAIM_UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const CLAIM_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const CLAIM_OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const CLAIM_IDP = 'http://schemas.microsoft.com/identity/claims/identityprovider';
const CLAIM_TENANT = 'http://schemas.microsoft.com/identity/claims/tenantid';
const GUID = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

export const azureActivityFormat: RecordFormat = {
  id: 'azure_activity',
  source: 'azure',
  description:
    'Azure Activity Log and other Azure resource logs (diagnostic export or Log Analytics AzureActivity rows)',
  // Every arm needs 'azureactivity' or an operationName key in the text: the text test skips the
  // parse for all other records.
  matchSql: `(${mayContain('r', 'azureactivity', 'operationname')} and ${withObject(
    'r',
    (_map, o) => `(lower(${textField(o, 'Type')}) = 'azureactivity'
    or ${hasField(o, 'OperationNameValue')}
    or (${hasField(o, 'operationName')} and (${hasField(o, 'category')} or ${hasField(o, 'resourceId', '_ResourceId')})))`,
  )})`,
  projection: (input) => `select
  origin, position, raw,
  coalesce(event_data_id, 'sha256:' || sha256(json_array(
    lower(correlation_id), lower(operation), strftime(event_time at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%f'),
    lower(arm_id), lower(result_type), lower(result_signature), lower(category), props::varchar
  )::varchar)) as event_id,
  event_time, account, region, service, action, log_type, actor, actor_type, actor_issuer,
  source_ip, user_agent, outcome, error_code, error_message, mfa, resources, details
from (
  select
    origin, position, raw, event_data_id, correlation_id, operation, arm_id, result_type,
    result_signature, category, props,
    -- The id above hashes the fields as recorded; the columns read REST-style {value} objects.
    ${localizableText('operation')} as operation_value,
    coalesce(result_type, ${localizableText('rest_status')}) as outcome_text,
    ${azureTimeSql('time_text')} as event_time,
    coalesce(${subscriptionFromResourceId('arm_id')}, lower(subscription_id), ${tenantFromResourceId('arm_id')}, lower(tenant_id)) as account,
    location as region,
    coalesce(
      case when contains(operation_value, '/') then split_part(operation_value, '/', 1) end,
      provider_value,
      ${providerFromResourceId('arm_id')}
    ) as service,
    operation_value as action,
    ${localizableText('category')} as log_type,
    coalesce(caller, claim_upn, claim_oid, claim_app_id, property_user, property_app, initiated_by, identity_name) as actor,
    case
      when lower(claim_idtyp) = 'app' then 'service'
      when lower(claim_idtyp) = 'user' then 'user'
      when claim_upn is not null then 'user'
      when lower(principal_type) = 'user' then 'user'
      when lower(principal_type) in ('serviceprincipal', 'msi', 'managedidentity', 'application') then 'service'
      when caller like '%@%' then 'user'
      when regexp_matches(caller, ${GUID}) then 'service'
      when claim_app_id is not null then 'service'
      when property_user is not null then 'user'
      when property_app is not null or initiated_by is not null then 'service'
      else 'unknown'
    end as actor_type,
    coalesce(claim_idp, claim_iss) as actor_issuer,
    source_ip,
    user_agent,
    case
      when lower(outcome_text) in ('success', 'succeeded') then 'success'
      when lower(outcome_text) in ('failure', 'failed') then 'failure'
      else 'unknown'
    end as outcome,
    case when lower(outcome_text) in ('failure', 'failed') then coalesce(result_signature, status_code, status_error_code) end as error_code,
    case when lower(outcome_text) in ('failure', 'failed') then coalesce(result_description, status_error_message) end as error_message,
    null::boolean as mfa,
    ${nonEmptyList('arm_id')} as resources,
    ${compactObject([
      ['correlation_id', 'correlation_id'],
      ['level', 'level'],
      ['result_type', 'result_type'],
      ['result_signature', 'result_signature'],
      ['status_code', 'status_code'],
      ['event_category', 'event_category'],
      ['duration_ms', integerSql('duration_text')],
      ['actor_id', 'claim_oid'],
      ['app_id', 'claim_app_id'],
      ['principal_type', 'principal_type'],
      ['role', 'role'],
      ['authorization_action', 'authorization_action'],
      ['tenant_id', 'lower(tenant_id)'],
    ])} as details
  from (
    select
      origin, position, r as raw, props,
      coalesce(${textField('ro', 'eventDataId')}, ${textField('p', 'eventDataId')}) as event_data_id,
      ${textField('ro', 'time', 'TimeGenerated')} as time_text,
      ${textField('ro', 'resourceId', '_ResourceId')} as arm_id,
      coalesce(${textField('ro', 'OperationNameValue')}, ${textField('ro', 'operationName')}) as operation,
      coalesce(${textField('ro', 'CategoryValue')}, ${textField('ro', 'category')}) as category,
      coalesce(${textField('ro', 'ActivityStatusValue')}, ${textField('ro', 'resultType')}, ${textField('ro', 'ActivityStatus')}) as result_type,
      coalesce(${textField('ro', 'ActivitySubstatusValue')}, ${textField('ro', 'resultSignature')}) as result_signature,
      ${textField('ro', 'status')} as rest_status,
      ${textField('ro', 'resultDescription')} as result_description,
      ${textField('ro', 'correlationId')} as correlation_id,
      ${textField('ro', 'level')} as level,
      ${textField('ro', 'location')} as location,
      ${textField('ro', 'SubscriptionId')} as subscription_id,
      -- LA's TenantId is the workspace id, not the Entra tenant: trust it only in diagnostic records.
      coalesce(
        case when not ${hasField('ro', 'TimeGenerated')} then ${textField('ro', 'tenantId')} end,
        ${exactText('claims', CLAIM_TENANT, 'tid')}
      ) as tenant_id,
      ${textField('ro', 'ResourceProviderValue')} as provider_value,
      ${textField('ro', 'caller')} as caller,
      ${exactText('claims', CLAIM_UPN, CLAIM_NAME, 'upn', 'unique_name')} as claim_upn,
      ${exactText('claims', CLAIM_OID, 'oid')} as claim_oid,
      ${exactText('claims', 'appid', 'azp')} as claim_app_id,
      ${exactText('claims', 'idtyp')} as claim_idtyp,
      ${exactText('claims', CLAIM_IDP, 'idp')} as claim_idp,
      ${exactText('claims', 'iss')} as claim_iss,
      ${textField('evidence', 'principalType')} as principal_type,
      ${textField('evidence', 'role')} as role,
      ${textField('authz', 'action')} as authorization_action,
      coalesce(${textField('p', 'userPrincipalName')}, ${textField('p', 'userId')}) as property_user,
      -- App-only Graph activity names the calling app here; provisioning logs name the service
      -- that acted in initiatedBy (the top-level identity is only an object id).
      coalesce(${textField('p', 'servicePrincipalId')}, ${textField('p', 'appId')}) as property_app,
      ${textField(keyIndex(objectMap(field('p', 'initiatedBy'))), 'name', 'displayName')} as initiated_by,
      identity_name,
      coalesce(${textField('ro', 'callerIpAddress')}, ${textField('p', 'ipAddress', 'callerIpAddress')}) as source_ip,
      ${textField('p', 'userAgent', 'userAgentHeader')} as user_agent,
      ${textField('p', 'statusCode')} as status_code,
      ${textField('p', 'eventCategory')} as event_category,
      ${textField('status_error', 'code')} as status_error_code,
      ${textField('status_error', 'message')} as status_error_message,
      ${textField('ro', 'durationMs')} as duration_text
    from (
      select
        origin, position, r, ro, p, props, identity_name, claims, authz,
        ${keyIndex('evidence_map')} as evidence,
        ${keyIndex('status_error_map')} as status_error
      from (
        select
          origin, position, r, ro, p, props, identity_name, claims, ${keyIndex('authz_map')} as authz,
          ${objectMap(field(keyIndex('authz_map'), 'evidence'))} as evidence_map,
          ${objectMap(field('status_message', 'error'))} as status_error_map
        from (
          select
            origin, position, r, ro, p, props, identity_name,
            -- Claims are matched by exact key (claim URIs are case-exact), so no index.
            -- Key Vault AuditEvent records name it identity.claim (singular).
            coalesce(
              ${objectMap(field('identity', 'claims', 'claim'))},
              ${objectMap(field('ro', 'Claims_d', 'Claims'))}
            ) as claims,
            coalesce(${objectMap(field('identity', 'authorization'))}, ${objectMap(field('ro', 'Authorization_d', 'Authorization'))}) as authz_map,
            ${keyIndex('status_message_map')} as status_message
          from (
            select
              origin, position, r, ro, p, props, identity_name, identity,
              ${objectMap(field('p', 'statusMessage'))} as status_message_map
            from (
              select
                origin, position, r, ro, props, identity_name,
                ${keyIndex('props_map')} as p,
                ${keyIndex('identity_map')} as identity
              from (
                select
                  origin, position, r, ro, props_map, identity_map,
                  -- The properties object as JSON, for the derived event id: as recorded when the
                  -- record holds an object, decoded when it holds JSON text (LA rows).
                  case when props_map is not null then try_cast(${field('ro', 'properties', 'Properties_d')} as json) end as props,
                  case when ${jsonTypeOf('r', 'rm', 'ro', 'identity')} = 'VARCHAR' and identity_map is null
                    then ${textField('ro', 'identity')} end as identity_name
                from (
                  select
                    origin, position, r, rm, ro,
                    -- LA rows hold Properties as JSON text (Properties_d as an object).
                    ${objectMap(field('ro', 'properties', 'Properties_d'))} as props_map,
                    ${objectMap(field('ro', 'identity'))} as identity_map
                  from (
                    select origin, position, r, rm, ${keyIndex('rm')} as ro
                    from (select origin, position, r, ${objectMap('r')} as rm from ${input})
                  )
                )
              )
            )
          )
        )
      )
    )
  )
)`,
};
