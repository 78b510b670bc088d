import {
  azureTimeSql,
  compactObject,
  field,
  hasField,
  integerSql,
  jsonTypeOf,
  keyIndex,
  mayContain,
  nonEmptyList,
  objectMap,
  tenantFromResourceId,
  textField,
  withObject,
} from './azure-sql.js';
import type { RecordFormat } from './record-format.js';

/*
 * Entra ID sign-in logs: diagnostic-settings records (category SignInLogs, NonInteractiveUser-,
 * ServicePrincipal-, ManagedIdentity-, ADFSSignInLogs; fields under `properties`) and Log Analytics
 * rows (Type SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs,
 * AADManagedIdentitySignInLogs, ADFSSignInLogs; the same fields as PascalCase columns, so a row is
 * read as its own `properties`).
 *
 * Mapping decisions:
 * - event_id: the sign-in `id` (the request id, also LA `Id`); no id means a problem, not a guess.
 * - event_time: createdDateTime (the sign-in itself, present in both shapes), else time /
 *   TimeGenerated. Elastic's expected output uses the envelope `time`; it equals createdDateTime in
 *   all its sign-in fixtures, but ADFS and some exports write `time` minutes later (when the record
 *   was emitted), and detectors care about when the sign-in happened.
 * - account: the Entra tenant: LA AADTenantId, the envelope tenantId (LA `TenantId` is the
 *   workspace, so it comes last), the tenant in resourceId, resourceTenantId.
 * - region: NULL. The record's location is the client's country (kept in details.country), not an
 *   Azure region; putting it in `region` would mix geographies in detectors that group by region.
 * - service 'Microsoft.aadiam' (the provider in every Entra resourceId) for both Entra formats.
 * - action: operationName ('Sign-in activity', as Elastic's event.action).
 * - log_type: category (LA: Category, else Type without its 'AAD' prefix).
 * - actor: service-principal and managed-identity sign-ins -> servicePrincipalName, else
 *   servicePrincipalId, appId (actor_type service); user sign-ins -> userPrincipalName, else userId
 *   (actor_type user). Elastic splits the UPN into user.name + user.domain; we keep the whole UPN.
 * - actor_issuer: the token issuer (tokenIssuerName when set, e.g. a federated IdP, else
 *   tokenIssuerType 'AzureAD'), the closest thing to "who vouched for this principal".
 * - source_ip: properties.ipAddress / IPAddress, else callerIpAddress, as recorded. user_agent:
 *   userAgent, else deviceDetail.browser (older records identify the client only that way).
 * - outcome: status.errorCode (LA: Status.errorCode, else ResultType; diagnostic: else resultType)
 *   0 -> success, any other code -> failure (interrupts such as 50140 included, as Elastic does),
 *   absent -> unknown. error_code/error_message only on failure: the code and failureReason /
 *   resultDescription.
 * - mfa: authenticationRequirement multiFactorAuthentication -> true, singleFactorAuthentication ->
 *   false, else NULL (not known).
 * - resources: resourceDisplayName (what was accessed), then appDisplayName (the client app).
 * - details: correlation id, app and resource ids, client app, conditional access status, risk,
 *   interactivity, country/city, device, home/resource tenants, duration.
 */

const SIGNIN_CATEGORIES = [
  'signinlogs',
  'noninteractiveusersigninlogs',
  'serviceprincipalsigninlogs',
  'managedidentitysigninlogs',
  'adfssigninlogs',
];
const SIGNIN_TYPES = [
  'signinlogs',
  'aadnoninteractiveusersigninlogs',
  'aadserviceprincipalsigninlogs',
  'aadmanagedidentitysigninlogs',
  'adfssigninlogs',
];
const SERVICE_KINDS = [
  'serviceprincipalsigninlogs',
  'managedidentitysigninlogs',
  'aadserviceprincipalsigninlogs',
  'aadmanagedidentitysigninlogs',
];

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

export const entraSigninFormat: RecordFormat = {
  id: 'entra_signin',
  source: 'azure',
  description:
    'Entra ID sign-in logs (diagnostic export or Log Analytics SigninLogs and AAD*SignInLogs rows)',
  // Every sign-in category and type name contains 'signinlogs': the text test skips the parse
  // for all other records.
  matchSql: `(${mayContain('r', 'signinlogs')} and ${withObject(
    'r',
    (_map, o) =>
      `(lower(${textField(o, 'category')}) in (${list(SIGNIN_CATEGORIES)}) or lower(${textField(o, 'Type')}) in (${list(SIGNIN_TYPES)}))`,
  )})`,
  projection: (input) => `select
  origin, position, raw,
  sign_in_id as event_id,
  coalesce(${azureTimeSql('created_text')}, ${azureTimeSql('time_text')}) as event_time,
  lower(coalesce(aad_tenant, case when not is_la then envelope_tenant end, ${tenantFromResourceId('arm_id')}, resource_tenant, envelope_tenant)) as account,
  null::varchar as region,
  'Microsoft.aadiam' as service,
  coalesce(operation, 'Sign-in activity') as action,
  log_type,
  case when is_service then coalesce(sp_name, sp_id, app_id) else coalesce(upn, user_id, sp_name, sp_id) end as actor,
  case
    when is_service then 'service'
    when upn is not null or user_id is not null then 'user'
    when sp_name is not null or sp_id is not null then 'service'
    else 'unknown'
  end as actor_type,
  coalesce(token_issuer_name, token_issuer_type) as actor_issuer,
  source_ip,
  coalesce(user_agent, browser) as user_agent,
  case when error_text is null then 'unknown' when error_text = '0' then 'success' else 'failure' end as outcome,
  case when error_text <> '0' then error_text end as error_code,
  case when error_text <> '0' then failure_reason end as error_message,
  case lower(auth_requirement) when 'multifactorauthentication' then true when 'singlefactorauthentication' then false end as mfa,
  ${nonEmptyList('resource_name', 'app_name')} as resources,
  ${compactObject([
    ['correlation_id', 'correlation_id'],
    ['user_id', 'user_id'],
    ['user_display_name', 'user_display_name'],
    ['service_principal_id', 'sp_id'],
    ['app_id', 'app_id'],
    ['app_display_name', 'app_name'],
    ['resource_id', 'resource_app_id'],
    ['resource_display_name', 'resource_name'],
    ['client_app_used', 'client_app'],
    ['is_interactive', 'try_cast(is_interactive as boolean)'],
    ['authentication_requirement', 'auth_requirement'],
    ['conditional_access_status', 'ca_status'],
    ['risk_level_during_signin', 'risk_during'],
    ['risk_level_aggregated', 'risk_aggregated'],
    ['risk_state', 'risk_state'],
    ['country', 'country'],
    ['city', 'city'],
    ['operating_system', 'operating_system'],
    ['browser', 'browser'],
    ['device_id', 'device_id'],
    ['home_tenant_id', 'home_tenant'],
    ['resource_tenant_id', 'resource_tenant'],
    ['cross_tenant_access_type', 'cross_tenant'],
    ['duration_ms', integerSql('duration_text')],
  ])} as details
from (
  select
    origin, position, r as raw,
    is_la,
    ${textField('p', 'id')} as sign_in_id,
    ${textField('p', 'createdDateTime')} as created_text,
    ${textField('ro', 'time', 'TimeGenerated')} as time_text,
    ${textField('ro', 'AADTenantId')} as aad_tenant,
    ${textField('ro', 'tenantId')} as envelope_tenant,
    ${textField('ro', 'resourceId', '_ResourceId')} as arm_id,
    ${textField('p', 'resourceTenantId')} as resource_tenant,
    ${textField('p', 'homeTenantId')} as home_tenant,
    ${textField('ro', 'operationName')} as operation,
    coalesce(${textField('ro', 'category')}, regexp_replace(replace(${textField('ro', 'Type')}, 'SigninLogs', 'SignInLogs'), '^AAD', '')) as log_type,
    lower(coalesce(${textField('ro', 'category')}, ${textField('ro', 'Type')})) in (${list(SERVICE_KINDS)}) as is_service,
    ${textField('p', 'userPrincipalName')} as upn,
    ${textField('p', 'userId')} as user_id,
    ${textField('p', 'userDisplayName')} as user_display_name,
    ${textField('p', 'servicePrincipalName')} as sp_name,
    ${textField('p', 'servicePrincipalId')} as sp_id,
    ${textField('p', 'appId')} as app_id,
    ${textField('p', 'appDisplayName')} as app_name,
    ${textField('p', 'resourceDisplayName')} as resource_name,
    coalesce(${textField('p', 'resourceIdentity')}, case when not is_la then ${textField('p', 'resourceId')} end) as resource_app_id,
    coalesce(${textField('p', 'ipAddress', 'IPAddress')}, ${textField('ro', 'callerIpAddress')}) as source_ip,
    ${textField('p', 'userAgent')} as user_agent,
    ${textField('device', 'browser')} as browser,
    ${textField('device', 'operatingSystem')} as operating_system,
    ${textField('device', 'deviceId')} as device_id,
    coalesce(${textField('status', 'errorCode')}, ${textField('ro', 'resultType')}) as error_text,
    coalesce(${textField('status', 'failureReason')}, ${textField('ro', 'resultDescription')}) as failure_reason,
    ${textField('p', 'authenticationRequirement')} as auth_requirement,
    ${textField('p', 'conditionalAccessStatus')} as ca_status,
    ${textField('p', 'riskLevelDuringSignIn')} as risk_during,
    ${textField('p', 'riskLevelAggregated')} as risk_aggregated,
    ${textField('p', 'riskState')} as risk_state,
    ${textField('p', 'clientAppUsed')} as client_app,
    ${textField('p', 'isInteractive')} as is_interactive,
    ${textField('p', 'tokenIssuerName')} as token_issuer_name,
    ${textField('p', 'tokenIssuerType')} as token_issuer_type,
    ${textField('p', 'crossTenantAccessType')} as cross_tenant,
    coalesce(${textField('geo', 'countryOrRegion')}, case when ${jsonTypeOf('r', 'rm', 'ro', 'location')} = 'VARCHAR' then ${textField('ro', 'location')} end) as country,
    ${textField('geo', 'city')} as city,
    coalesce(${textField('ro', 'correlationId')}, ${textField('p', 'correlationId')}) as correlation_id,
    ${textField('ro', 'durationMs')} as duration_text
  from (
    select
      origin, position, r, rm, ro, p, is_la,
      ${keyIndex('status_map')} as status,
      ${keyIndex('device_map')} as device,
      ${keyIndex('geo_map')} as geo
    from (
      select
        origin, position, r, rm, ro, p, is_la,
        ${objectMap(field('p', 'status'))} as status_map,
        ${objectMap(field('p', 'deviceDetail'))} as device_map,
        ${objectMap(field('p', 'locationDetails', 'location'))} as geo_map
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
)`,
};
