import {
  azureTimeSql,
  compactObject,
  field,
  hasField,
  jsonTypeOf,
  keyIndex,
  mayContain,
  objectMap,
  objectMapList,
  tenantFromResourceId,
  textField,
  withObject,
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

/**
 * VARCHAR[] with, per targetResources entry, the first non-blank of `names`; entries without one
 * are skipped, [] when there are no targets.
 */
function targetList(...names: string[]): string {
  return `coalesce(list_filter(list_transform(targets, t -> ${textField('t', ...names)}), x -> x is not null), []::varchar[])`;
}

export const entraAuditFormat: RecordFormat = {
  id: 'entra_audit',
  source: 'azure',
  description: 'Entra ID audit logs (diagnostic export or Log Analytics AuditLogs rows)',
  // Every arm needs 'auditlogs' or the activityDisplayName key in the text: the text test skips
  // the parse for all other records. The audit fields live under `properties` when it is present
  // (diagnostic export), else at top level (Log Analytics); a `properties` that is not an object
  // (Log Analytics JSON text) holds none.
  // The activityDisplayName arm is a second term: it refers to the record and its MAP, which a
  // lambda would copy for every record (measured 3x slower), and only a few records reach it.
  matchSql: `(${mayContain('r', 'auditlogs', 'activitydisplayname')} and (${withObject(
    'r',
    (_map, o) =>
      `(lower(${textField(o, 'category')}) = 'auditlogs' or lower(${textField(o, 'Type')}) = 'auditlogs')`,
  )} or ${withObject(
    'r',
    (map, o) => `case
      when ${hasField(o, 'properties')} then ${jsonTypeOf('r', map, o, 'properties')} = 'OBJECT' and ${withObject(
        field(o, 'properties'),
        (_m, po) => `(${hasField(po, 'activityDisplayName')} and ${hasField(po, 'initiatedBy')})`,
      )}
      else ${hasField(o, 'activityDisplayName')} and ${hasField(o, 'initiatedBy')}
    end`,
  )}))`,
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
  target_resources as resources,
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
    ['target_ids', 'target_ids'],
    // Sorted: list_distinct alone returns an arbitrary order.
    ['target_types', 'list_sort(list_distinct(target_types))'],
  ])} as details
from (
  select
    origin, position, r as raw,
    is_la,
    ${targetList('userPrincipalName', 'displayName', 'id')} as target_resources,
    ${targetList('id')} as target_ids,
    ${targetList('type')} as target_types,
    ${textField('p', 'id')} as audit_id,
    ${textField('p', 'activityDateTime')} as activity_time_text,
    ${textField('ro', 'time', 'TimeGenerated')} as time_text,
    ${textField('ro', 'AADTenantId')} as aad_tenant,
    ${textField('ro', 'tenantId')} as envelope_tenant,
    ${textField('ro', 'resourceId', '_ResourceId')} as arm_id,
    ${textField('p', 'activityDisplayName')} as activity,
    ${textField('ro', 'operationName')} as operation,
    ${textField('p', 'category')} as audit_category,
    ${textField('p', 'loggedByService')} as logged_by_service,
    coalesce(${textField('p', 'operationType')}, ${textField('ro', 'AADOperationType')}) as operation_type,
    ${textField('p', 'result')} as result,
    ${textField('p', 'resultReason')} as result_reason,
    coalesce(${textField('p', 'resultDescription')}, ${textField('ro', 'resultDescription')}) as result_description,
    ${textField('usr', 'userPrincipalName')} as upn,
    ${textField('usr', 'id')} as user_id,
    ${textField('usr', 'displayName')} as user_display_name,
    ${textField('usr', 'ipAddress')} as user_ip,
    ${textField('app', 'displayName')} as app_name,
    ${textField('app', 'servicePrincipalName')} as app_sp_name,
    ${textField('app', 'servicePrincipalId')} as app_sp_id,
    ${textField('app', 'appId')} as app_id,
    case when ${jsonTypeOf('r', 'rm', 'ro', 'identity')} = 'VARCHAR' then ${textField('ro', 'identity')} end as identity_name,
    ${textField('ro', 'callerIpAddress')} as caller_ip,
    ${textField('p', 'userAgent')} as user_agent,
    -- additionalDetails entries are {key, value}, spelled exactly so.
    nullif(trim(list_filter(extra, x -> lower(x['key']) = 'user-agent')[1]['value']), '') as detail_user_agent,
    coalesce(${textField('ro', 'correlationId')}, ${textField('p', 'correlationId')}) as correlation_id
  from (
    select
      origin, position, r, rm, ro, p, is_la, extra,
      ${keyIndex('usr_map')} as usr,
      ${keyIndex('app_map')} as app,
      list_transform(target_maps, t -> ${keyIndex('t')}) as targets
    from (
      select
        origin, position, r, rm, ro, p, is_la,
        ${objectMap(field('initiated', 'user'))} as usr_map,
        ${objectMap(field('initiated', 'app'))} as app_map,
        ${objectMapList(field('p', 'targetResources'))} as target_maps,
        ${objectMapList(field('p', 'additionalDetails'))} as extra
      from (
        select origin, position, r, rm, ro, p, is_la, ${keyIndex('initiated_map')} as initiated
        from (
          select origin, position, r, rm, ro, p, is_la, ${objectMap(field('p', 'initiatedBy'))} as initiated_map
          from (
            select origin, position, r, rm, ro, is_la, ${keyIndex('p_map')} as p
            from (
              select
                origin, position, r, rm, ro,
                -- Log Analytics rows carry the properties as top-level columns.
                coalesce(${objectMap(field('ro', 'properties'))}, rm) as p_map,
                ${hasField('ro', 'TimeGenerated')} as is_la
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
)`,
};
