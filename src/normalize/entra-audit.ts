import {
  asJson,
  asObject,
  azureTimeSql,
  compactObject,
  jsonField,
  tenantFromResourceId,
  textField,
} from './azure-sql.js';
import type { RecordFormat } from './record-format.js';

/*
 * Entra ID audit logs: diagnostic-settings records (category AuditLogs, fields under `properties`)
 * and Log Analytics AuditLogs rows (Type 'AuditLogs', the same fields as PascalCase columns, with
 * InitiatedBy, TargetResources and AdditionalDetails often as JSON text).
 *
 * Matched by category/Type AuditLogs, or by activityDisplayName together with initiatedBy (under
 * properties or top level): hand-built records put the audit category ('ApplicationManagement') in
 * `category`, and Sentinel query results may overwrite `Type` (the OTRF dataset has Type
 * 'ServicePrincipal'). Provisioning logs have initiatedBy but no activityDisplayName: generic.
 *
 * Mapping decisions:
 * - event_id: the audit `id` ('Directory_<correlation>_<suffix>', LA `Id`).
 * - event_time: activityDateTime (the change itself, in both shapes), else time / TimeGenerated.
 * - account: the Entra tenant, as for sign-ins (AADTenantId, envelope tenantId, resourceId tenant).
 * - region: NULL (directory changes have no Azure region). service 'Microsoft.aadiam'.
 * - action: activityDisplayName ('Add member to role'), else operationName; the same text Elastic
 *   puts in event.action. log_type 'AuditLogs' in both shapes; the audit category
 *   (ApplicationManagement, RoleManagement, ...) goes to details.audit_category.
 * - actor: initiatedBy.user.userPrincipalName (user), else initiatedBy.app displayName,
 *   servicePrincipalName, servicePrincipalId, appId (service), else initiatedBy.user.id (user), else
 *   the envelope `identity` display name (unknown).
 * - source_ip: initiatedBy.user.ipAddress, else callerIpAddress, as recorded. Elastic drops values
 *   that are not valid IPs ('::2a02:...'); we keep what the record says.
 * - user_agent: userAgent, else the 'User-Agent' entry of additionalDetails.
 * - outcome: result success -> success, failure / timeout -> failure, else unknown; error_message
 *   on failure: resultReason, else resultDescription. No error code exists in this log.
 * - mfa: NULL. resources: per targetResources entry its userPrincipalName, else displayName, else id.
 */

// Where the audit fields live: under `properties` (diagnostic export) or top level (Log Analytics).
const AUDIT_FIELDS = `coalesce(${jsonField('r', 'properties')}, r)`;

export const entraAuditFormat: RecordFormat = {
  id: 'entra_audit',
  source: 'azure',
  description: 'Entra ID audit logs (diagnostic export or Log Analytics AuditLogs rows)',
  matchSql: `(lower(${textField('r', 'category')}) = 'auditlogs'
    or lower(${textField('r', 'Type')}) = 'auditlogs'
    or (${jsonField(AUDIT_FIELDS, 'activityDisplayName')} is not null and ${jsonField(AUDIT_FIELDS, 'initiatedBy')} is not null))`,
  projection: (input) => `select
  origin, position, raw,
  audit_id as event_id,
  coalesce(${azureTimeSql('activity_time_text')}, ${azureTimeSql('time_text')}) as event_time,
  lower(coalesce(aad_tenant, case when not is_la then envelope_tenant end, ${tenantFromResourceId('arm_id')}, envelope_tenant)) as account,
  null::varchar as region,
  'Microsoft.aadiam' as service,
  coalesce(activity, operation) as action,
  'AuditLogs' as log_type,
  coalesce(upn, app_name, app_sp_name, app_sp_id, app_id, user_id, identity_name) as actor,
  case
    when upn is not null then 'user'
    when coalesce(app_name, app_sp_name, app_sp_id, app_id) is not null then 'service'
    when user_id is not null then 'user'
    else 'unknown'
  end as actor_type,
  null::varchar as actor_issuer,
  coalesce(user_ip, caller_ip) as source_ip,
  coalesce(user_agent, detail_user_agent) as user_agent,
  case lower(result) when 'success' then 'success' when 'failure' then 'failure' when 'timeout' then 'failure' else 'unknown' end as outcome,
  null::varchar as error_code,
  case when lower(result) in ('failure', 'timeout') then coalesce(result_reason, result_description) end as error_message,
  null::boolean as mfa,
  list_filter(
    list_transform(coalesce(json_extract(targets, '$[*]'), []::json[]), t -> coalesce(${textField('t', 'userPrincipalName')}, ${textField('t', 'displayName')}, ${textField('t', 'id')})),
    x -> x is not null
  ) as resources,
  ${compactObject([
    ['correlation_id', 'correlation_id'],
    ['audit_category', 'audit_category'],
    ['logged_by_service', 'logged_by_service'],
    ['operation_type', 'operation_type'],
    ['result', 'result'],
    ['result_reason', 'result_reason'],
    ['actor_id', 'coalesce(user_id, app_sp_id)'],
    ['actor_app_id', 'app_id'],
    ['actor_display_name', 'user_display_name'],
    [
      'target_ids',
      `list_filter(list_transform(coalesce(json_extract(targets, '$[*]'), []::json[]), t -> ${textField('t', 'id')}), x -> x is not null)`,
    ],
    [
      'target_types',
      // Sorted: list_distinct alone returns an arbitrary order.
      `list_sort(list_distinct(list_filter(list_transform(coalesce(json_extract(targets, '$[*]'), []::json[]), t -> ${textField('t', 'type')}), x -> x is not null)))`,
    ],
  ])} as details
from (
  select
    origin, position, r as raw,
    is_la, targets,
    ${textField('p', 'id')} as audit_id,
    ${textField('p', 'activityDateTime')} as activity_time_text,
    ${textField('r', 'time', 'TimeGenerated')} as time_text,
    ${textField('r', 'AADTenantId')} as aad_tenant,
    ${textField('r', 'tenantId')} as envelope_tenant,
    ${textField('r', 'resourceId', '_ResourceId')} as arm_id,
    ${textField('p', 'activityDisplayName')} as activity,
    ${textField('r', 'operationName')} as operation,
    ${textField('p', 'category')} as audit_category,
    ${textField('p', 'loggedByService')} as logged_by_service,
    coalesce(${textField('p', 'operationType')}, ${textField('r', 'AADOperationType')}) as operation_type,
    ${textField('p', 'result')} as result,
    ${textField('p', 'resultReason')} as result_reason,
    coalesce(${textField('p', 'resultDescription')}, ${textField('r', 'resultDescription')}) as result_description,
    ${textField('usr', 'userPrincipalName')} as upn,
    ${textField('usr', 'id')} as user_id,
    ${textField('usr', 'displayName')} as user_display_name,
    ${textField('usr', 'ipAddress')} as user_ip,
    ${textField('app', 'displayName')} as app_name,
    ${textField('app', 'servicePrincipalName')} as app_sp_name,
    ${textField('app', 'servicePrincipalId')} as app_sp_id,
    ${textField('app', 'appId')} as app_id,
    case when json_type(${jsonField('r', 'identity')}) = 'VARCHAR' then ${textField('r', 'identity')} end as identity_name,
    ${textField('r', 'callerIpAddress')} as caller_ip,
    ${textField('p', 'userAgent')} as user_agent,
    nullif(trim(list_filter(coalesce(json_extract(extra, '$[*]'), []::json[]), x -> lower(x->>'key') = 'user-agent')[1]->>'value'), '') as detail_user_agent,
    coalesce(${textField('r', 'correlationId')}, ${textField('p', 'correlationId')}) as correlation_id
  from (
    select
      origin, position, r, p, is_la,
      ${asObject(jsonField('initiated', 'user'))} as usr,
      ${asObject(jsonField('initiated', 'app'))} as app,
      ${asJson(jsonField('p', 'targetResources'))} as targets,
      ${asJson(jsonField('p', 'additionalDetails'))} as extra
    from (
      select
        origin, position, r, p, is_la,
        ${asObject(jsonField('p', 'initiatedBy'))} as initiated
      from (
        select
          origin, position, r,
          -- Log Analytics rows carry the properties as top-level columns.
          coalesce(${asObject(jsonField('r', 'properties'))}, r) as p,
          (${jsonField('r', 'TimeGenerated')}) is not null as is_la
        from ${input}
      )
    )
  )
)`,
};
