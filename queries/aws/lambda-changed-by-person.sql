-- ---
-- id: aws/lambda-changed-by-person
-- title: Lambda function code or layers changed by a person, not a pipeline
-- severity: medium
-- sources: [aws]
-- attack: [T1648, T1525]
-- controls:
--   soc2_2017: ['CC6.8', 'CC7.2']
--   nist_800_53_r5: ['CM-3', 'SI-4']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   UpdateFunctionCode, or UpdateFunctionConfiguration that sets the function's layers, made by a person:
--   an IAM user, the root user, a federated user, or a role session of IAM Identity Center (or one named
--   after a person's e-mail address). Functions are normally deployed by a pipeline's role; a person
--   replacing the code or adding a layer (a layer's code runs before the handler, as an extension) can
--   plant a backdoor that runs with the function's role on every invocation.
-- remediation: >
--   Compare the deployed code or layers with the pipeline's last release (GetFunction), roll back if they
--   differ, and ask the person why the change bypassed the pipeline.
-- false_positives:
--   - Developers deploying by hand to sandbox accounts (suppress by account).
--   - "Hotfixes during an incident, which the change record should show."
-- params: {}
-- ---
with function_changes as (
  select
    event_id,
    event_time,
    actor,
    actor_type,
    actor_issuer,
    account,
    region,
    source_ip,
    action,
    coalesce(
      raw->>'$.requestParameters.functionName',
      raw->>'$.requestParameters.fullyQualifiedArn.relativeId.functionName',
      raw->>'$.responseElements.functionName',
      resources[1]) as resource,
    coalesce(json_array_length(raw->'$.requestParameters.layers'), 0) as layers
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    -- Event names carry an API version (UpdateFunctionCode20150331v2): matched by prefix.
    and service = 'lambda.amazonaws.com'
    and (action like 'UpdateFunctionCode%' or action like 'UpdateFunctionConfiguration%')
    and outcome = 'success'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  case
    when action like 'UpdateFunctionCode%' then format('{} replaced the code of Lambda function {} by hand', actor, coalesce(resource, 'unknown'))
    else format('{} set {} layer(s) on Lambda function {} by hand', actor, layers, coalesce(resource, 'unknown'))
  end as summary,
  [event_id] as evidence
from function_changes
where (action like 'UpdateFunctionCode%' or layers > 0)
  and (actor_type in ['user', 'root', 'federated']
    or (actor_type = 'role' and actor_issuer like '%:role/aws-reserved/sso.amazonaws.com/%')
    or identity_of(actor, actor_type, actor_issuer) like '%@%')
order by event_time
