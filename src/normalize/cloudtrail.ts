import type { RecordFormat } from './record-format.js';

/*
 * AWS CloudTrail event records (one element of a trail file's `Records`, a LookupEvents
 * `CloudTrailEvent`, or an NDJSON line) -> normalized event.
 *
 * Decisions, and where we deliberately differ from Elastic's aws.cloudtrail pipeline:
 * - Match: a record with `eventVersion` or `eventSource` (Insight events have no userIdentity and no
 *   eventSource, but do have eventVersion). Digest files (`digestStartTime`, `logFiles`) are excluded:
 *   they describe log files, not activity.
 * - account = recipientAccountId (the account whose trail recorded it), else userIdentity.accountId.
 *   Elastic takes userIdentity.accountId; it differs only for cross-account calls and Insights, where
 *   the recording account is the one an analyst scopes by. A differing identity account is kept in
 *   details.actor_account.
 * - actor is the most specific stable principal: the ARN for Root, IAMUser, AssumedRole (the session
 *   ARN, so the session name survives), FederatedUser; invokedBy for AWSService; userName, else
 *   principalId, for SAMLUser/WebIdentityUser; for IdentityCenterUser (whose ARN is empty) the user
 *   name the sign-in gives, else onBehalfOf.userId. Elastic's user.name is the bare user or role
 *   name, which collides across accounts; an ARN does not.
 * - actor_type: AWSAccount (another account's principal) is classified by its principalId prefix
 *   (AIDA user, AROA role), ANONYMOUS_PRINCIPAL is anonymous; Unknown and a missing userIdentity are
 *   unknown.
 * - outcome is 'unknown' for Insight events (they report a rate, not a call; Elastic says success).
 *   A sign-in event (signin.amazonaws.com) fails when its result under responseElements or
 *   serviceEventDetails, keyed by the event name (ConsoleLogin, SwitchRole, CheckMfa,
 *   UserAuthentication, CredentialVerification ...), is 'Failure'. Such failures carry no errorCode,
 *   so error_code takes errorMessage ('Failed authentication'), else the result itself: an outcome of
 *   'failure' always has an error_code.
 * - service and action stay NULL for Insight events; the API the Insight is about is in details, so
 *   counting by action never mixes Insights with the calls themselves.
 * - source_ip is sourceIPAddress as recorded, including service names ('ec2.amazonaws.com') and
 *   'redacted'; Elastic keeps only IPs in source.ip.
 * - user_agent loses the outer brackets some exports add ('[aws-cli/2.x ...]'); Elastic keeps them.
 * - requestParameters, responseElements, additionalEventData and serviceEventDetails may be JSON
 *   objects or JSON text inside a string; both read the same. Text that is not JSON reads as absent.
 * - resources are the ARNs of `resources[]` plus common resource-naming request parameters, as given
 *   (a bare bucket or user name, not an ARN we would have to guess the partition for), deduplicated
 *   and sorted so the list is stable.
 *   Launched instance ids (RunInstances) live in responseElements, which is not parsed: too large to
 *   pay for on every record.
 * - A record without eventID gets NULL and so becomes a problem; Elastic indexes old (eventVersion
 *   1.0) records without one, but our store dedupes on the id.
 * - details keeps only non-null keys.
 *
 * Cost: the record is parsed once into a struct with json_transform; only requestParameters and
 * additionalEventData are parsed a second time (they are typed JSON so string-wrapped ones work),
 * and sign-in events, which are rare, read their result from `r` again.
 */

const RECORD_TYPE = {
  eventVersion: 'VARCHAR',
  eventID: 'VARCHAR',
  eventTime: 'VARCHAR',
  // Logstash-shipped CloudTrail (e.g. public datasets) moves eventTime into @timestamp.
  '@timestamp': 'VARCHAR',
  eventSource: 'VARCHAR',
  eventName: 'VARCHAR',
  eventType: 'VARCHAR',
  eventCategory: 'VARCHAR',
  awsRegion: 'VARCHAR',
  recipientAccountId: 'VARCHAR',
  sourceIPAddress: 'VARCHAR',
  userAgent: 'VARCHAR',
  errorCode: 'VARCHAR',
  errorMessage: 'VARCHAR',
  readOnly: 'VARCHAR',
  managementEvent: 'VARCHAR',
  sharedEventID: 'VARCHAR',
  vpcEndpointId: 'VARCHAR',
  sessionCredentialFromConsole: 'VARCHAR',
  userIdentity: {
    type: 'VARCHAR',
    principalId: 'VARCHAR',
    arn: 'VARCHAR',
    accountId: 'VARCHAR',
    accessKeyId: 'VARCHAR',
    userName: 'VARCHAR',
    invokedBy: 'VARCHAR',
    identityProvider: 'VARCHAR',
    sessionContext: {
      attributes: { mfaAuthenticated: 'VARCHAR' },
      sessionIssuer: { arn: 'VARCHAR' },
    },
    onBehalfOf: { userId: 'VARCHAR', identityStoreArn: 'VARCHAR' },
  },
  resources: [{ ARN: 'VARCHAR', ARNPrefix: 'VARCHAR' }],
  requestParameters: 'JSON',
  additionalEventData: 'JSON',
  insightDetails: { state: 'VARCHAR', eventSource: 'VARCHAR', eventName: 'VARCHAR', insightType: 'VARCHAR' },
};

/** requestParameters that name the resource a call touches. */
const REQUEST_TYPE = {
  bucketName: 'VARCHAR',
  userName: 'VARCHAR',
  roleName: 'VARCHAR',
  roleArn: 'VARCHAR',
  groupName: 'VARCHAR',
  policyArn: 'VARCHAR',
  keyId: 'VARCHAR',
  trailName: 'VARCHAR',
  instanceId: 'VARCHAR',
  instanceIds: ['VARCHAR'],
  instancesSet: { items: [{ instanceId: 'VARCHAR' }] },
  groupId: 'VARCHAR',
  functionName: 'VARCHAR',
  secretId: 'VARCHAR',
  dBInstanceIdentifier: 'VARCHAR',
  dBClusterIdentifier: 'VARCHAR',
  dBSnapshotIdentifier: 'VARCHAR',
  dBClusterSnapshotIdentifier: 'VARCHAR',
  clusterName: 'VARCHAR',
  repositoryName: 'VARCHAR',
  snapshotId: 'VARCHAR',
  imageId: 'VARCHAR',
  volumeId: 'VARCHAR',
  detectorId: 'VARCHAR',
  logGroupName: 'VARCHAR',
  stackName: 'VARCHAR',
  topicArn: 'VARCHAR',
  tableName: 'VARCHAR',
  configurationRecorderName: 'VARCHAR',
  networkAclId: 'VARCHAR',
  policyName: 'VARCHAR',
  secretIdList: ['VARCHAR'],
  // Generic keys: only meaningful for the services named where they are read.
  name: 'VARCHAR',
  names: ['VARCHAR'],
  target: 'VARCHAR',
};

const EXTRA_TYPE = { MFAUsed: 'VARCHAR', UserName: 'VARCHAR' };

/** SQL literal of a json_transform type (the type JSON holds no single quotes). */
function typeLiteral(type: object): string {
  return `'${JSON.stringify(type)}'`;
}

/** NULL for a missing or empty string: CloudTrail writes '' for absent ARNs and key ids. */
function nz(expr: string): string {
  return `nullif(${expr}, '')`;
}

/** A JSON value that may be an object or JSON text inside a string, as JSON (NULL if not JSON). */
function unwrapJson(expr: string): string {
  return `case when left(${expr}::varchar, 1) = '"' then try_cast(${expr} ->> '$' as json) else ${expr} end`;
}

/**
 * The sign-in result stored under the event's own name ('Success' / 'Failure') in `section`. The name
 * becomes a JSON path, so anything but letters and digits is dropped to keep the path valid (and a
 * name left empty reads nothing).
 */
function signinResult(section: string): string {
  const key = `nullif(regexp_replace(s.eventName, '[^A-Za-z0-9]', '', 'g'), '')`;
  return `json_extract_string(${unwrapJson(`r -> '$.${section}'`)}, '$.' || ${key})`;
}

/** `"key":value` for details, or NULL (skipped by concat_ws) when the value is NULL. */
function detail(key: string, expr: string): string {
  return `'"${key}":' || to_json(${expr})`;
}

const REQUEST_RESOURCES = [
  'bucketName',
  'userName',
  'roleName',
  'roleArn',
  'groupName',
  'policyArn',
  'keyId',
  'trailName',
  'instanceId',
  'groupId',
  'functionName',
  'secretId',
  'dBInstanceIdentifier',
  'dBClusterIdentifier',
  'dBSnapshotIdentifier',
  'dBClusterSnapshotIdentifier',
  'clusterName',
  'repositoryName',
  'snapshotId',
  'imageId',
  'volumeId',
  'detectorId',
  'logGroupName',
  'stackName',
  'topicArn',
  'tableName',
  'configurationRecorderName',
  'networkAclId',
  'policyName',
];

function projection(input: string): string {
  return `with
parsed_records as (
  select origin, position, r, json_transform(r, ${typeLiteral(RECORD_TYPE)}) as s
  from ${input}
),
unpacked_records as (
  select
    origin,
    position,
    r,
    s,
    s.userIdentity as ui,
    json_transform(${unwrapJson('s.requestParameters')}, ${typeLiteral(REQUEST_TYPE)}) as rp,
    json_transform(${unwrapJson('s.additionalEventData')}, ${typeLiteral(EXTRA_TYPE)}) as ade,
    case
      when s.eventSource = 'signin.amazonaws.com'
      then coalesce(${signinResult('responseElements')}, ${signinResult('serviceEventDetails')})
    end as signin_result,
    coalesce(s.eventType = 'AwsCloudTrailInsight' or s.eventCategory = 'Insight', false) as is_insight
  from parsed_records
),
mapped_events as (
  select
    origin,
    position,
    r,
    s,
    ui,
    rp,
    ade,
    is_insight,
    coalesce(${nz('s.recipientAccountId')}, ${nz('ui.accountId')}) as account,
    case
      when ui.type = 'AWSService' then coalesce(${nz('ui.invokedBy')}, ${nz('ui.principalId')})
      when ui.type in ('SAMLUser', 'WebIdentityUser') then coalesce(${nz('ui.userName')}, ${nz('ui.principalId')})
      when ui.type = 'IdentityCenterUser'
      then coalesce(${nz('ui.arn')}, ${nz('ade.UserName')}, ${nz('ui.onBehalfOf.userId')}, ${nz('ui.userName')}, ${nz('ui.principalId')})
      else coalesce(${nz('ui.arn')}, ${nz('ui.userName')}, ${nz('ui.principalId')}, ${nz('ui.accountId')})
    end as actor,
    case
      when ui.accountId = 'ANONYMOUS_PRINCIPAL' then 'anonymous'
      when ui.type = 'Root' then 'root'
      when ui.type in ('IAMUser', 'IdentityCenterUser') then 'user'
      when ui.type in ('AssumedRole', 'Role') then 'role'
      when ui.type in ('FederatedUser', 'SAMLUser', 'WebIdentityUser') then 'federated'
      when ui.type = 'AWSService' then 'service'
      when ui.type = 'AWSAccount' and starts_with(ui.principalId, 'AIDA') then 'user'
      when ui.type = 'AWSAccount' and starts_with(ui.principalId, 'AROA') then 'role'
      else 'unknown'
    end as actor_type,
    case
      when ui.type in ('AssumedRole', 'FederatedUser') then ${nz('ui.sessionContext.sessionIssuer.arn')}
      when ui.type in ('SAMLUser', 'WebIdentityUser') then ${nz('ui.identityProvider')}
      when ui.type = 'IdentityCenterUser' then ${nz('ui.onBehalfOf.identityStoreArn')}
    end as actor_issuer,
    case
      when s.userAgent like '[%]' then s.userAgent[2:-2]
      else s.userAgent
    end as user_agent,
    case
      when is_insight then 'unknown'
      when ${nz('s.errorCode')} is not null then 'failure'
      when lower(signin_result) = 'failure' then 'failure'
      else 'success'
    end as outcome,
    coalesce(
      ${nz('s.errorCode')},
      case when lower(signin_result) = 'failure' then coalesce(${nz('s.errorMessage')}, signin_result) end
    ) as error_code,
    case when lower(ade.MFAUsed) in ('yes', 'no') then 'MFAUsed' end as mfa_used_source,
    case lower(ui.sessionContext.attributes.mfaAuthenticated)
      when 'true' then true
      when 'false' then false
    end as session_mfa
  from unpacked_records
)
select
  origin,
  position,
  r as raw,
  ${nz('s.eventID')} as event_id,
  coalesce(try_cast(s.eventTime as timestamptz), try_cast(s."@timestamp" as timestamptz)) as event_time,
  account,
  ${nz('s.awsRegion')} as region,
  ${nz('s.eventSource')} as service,
  ${nz('s.eventName')} as action,
  ${nz('s.eventType')} as log_type,
  actor,
  actor_type,
  actor_issuer,
  ${nz('s.sourceIPAddress')} as source_ip,
  ${nz('user_agent')} as user_agent,
  outcome,
  error_code,
  ${nz('s.errorMessage')} as error_message,
  case
    when mfa_used_source is not null then lower(ade.MFAUsed) = 'yes'
    else session_mfa
  end as mfa,
  list_sort(list_distinct([
    name for name in flatten([
      [coalesce(res.ARN, res.ARNPrefix) for res in coalesce(s.resources, [])],
      [${REQUEST_RESOURCES.map((key) => `rp.${key}`).join(', ')}],
      coalesce(rp.instanceIds, []),
      coalesce(rp.secretIdList, []),
      [item.instanceId for item in coalesce(rp.instancesSet.items, [])],
      case when s.eventSource = 'cloudtrail.amazonaws.com' then [rp.name] else [] end,
      case when s.eventSource = 'ssm.amazonaws.com' then list_concat([rp.name, rp.target], rp.names) else [] end
    ])
    -- '*' is SendCommand's "every instance", not a name.
    if name not in ('', '*')
  ])) as resources,
  ('{' || concat_ws(',',
    ${detail('event_version', nz('s.eventVersion'))},
    ${detail('event_category', nz('s.eventCategory'))},
    ${detail('read_only', 'try_cast(s.readOnly as boolean)')},
    ${detail('management_event', 'try_cast(s.managementEvent as boolean)')},
    ${detail('principal_id', nz('ui.principalId'))},
    ${detail('access_key_id', nz('ui.accessKeyId'))},
    ${detail('invoked_by', nz('ui.invokedBy'))},
    ${detail('session_name', `case when ui.type = 'AssumedRole' then ${nz("split_part(ui.arn, '/', 3)")} end`)},
    ${detail('actor_account', `case when ui.accountId <> account then ${nz('ui.accountId')} end`)},
    ${detail('mfa_source', `coalesce(mfa_used_source, case when session_mfa is not null then 'mfaAuthenticated' end)`)},
    ${detail('session_credential_from_console', 'try_cast(s.sessionCredentialFromConsole as boolean)')},
    ${detail('shared_event_id', nz('s.sharedEventID'))},
    ${detail('vpc_endpoint_id', nz('s.vpcEndpointId'))},
    ${detail('insight_type', 'case when is_insight then s.insightDetails.insightType end')},
    ${detail('insight_state', 'case when is_insight then s.insightDetails.state end')},
    ${detail('insight_event_source', 'case when is_insight then s.insightDetails.eventSource end')},
    ${detail('insight_event_name', 'case when is_insight then s.insightDetails.eventName end')}
  ) || '}')::json as details
from mapped_events`;
}

export const cloudtrailFormat: RecordFormat = {
  id: 'cloudtrail',
  source: 'aws',
  description: 'AWS CloudTrail event records (management, data, sign-in and Insight events)',
  // One parse: the first key found must be a CloudTrail event key, not the digest-file key.
  matchSql: `list_position(json_exists(r, ['$.digestStartTime', '$.eventVersion', '$.eventSource']), true) > 1`,
  // json_exists finds no key in an array or a scalar.
  matchesObjectsOnly: true,
  projection,
};
