-- ---
-- id: aws/lambda-function-made-public
-- title: Lambda function made invocable by anyone
-- severity: high
-- sources: [aws]
-- attack: [T1098, T1648]
-- controls:
--   soc2_2017: ['CC6.1']
--   iso27001_2022: ['A.8.9']
--   nist_800_53_r5: ['AC-3', 'AC-6', 'CM-3']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A Lambda function's resource-based policy gains a statement for any principal ("*") without a
--   source ARN, source account or organization condition (AddPermission), or the function gets a
--   URL that needs no authentication (CreateFunctionUrlConfig or UpdateFunctionUrlConfig with
--   AuthType NONE). Either way anyone on the internet can run the code with the function's role: a
--   backdoor that survives the removal of the attacker's own credentials.
-- remediation: >
--   Remove the statement (RemovePermission) or set the URL's AuthType to AWS_IAM, then check who
--   invoked the function and what its role did since.
-- false_positives:
--   - "Public webhooks and APIs meant to be open; they should be fronted by API Gateway with authorization instead."
--   - "Permissions for AWS services (principal s3.amazonaws.com and the like) are not reported."
-- params: {}
-- ---
with lambda_policy_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.functionName', resources[1]) as resource,
    raw->>'$.requestParameters.principal' as principal,
    raw->>'$.requestParameters.action' as permission,
    raw->>'$.requestParameters.sourceArn' as source_arn,
    raw->>'$.requestParameters.sourceAccount' as source_account,
    raw->>'$.requestParameters.principalOrgID' as principal_org_id,
    upper(raw->>'$.requestParameters.authType') as auth_type
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    -- Event names carry an API version (AddPermission20150331v2): matched by prefix.
    and service = 'lambda.amazonaws.com'
    and (action like 'AddPermission%' or action like 'CreateFunctionUrlConfig%' or action like 'UpdateFunctionUrlConfig%')
    and outcome = 'success'
),
exposures as (
  select
    *,
    case
      when action like 'AddPermission%' then 'policy statement for any principal (' || coalesce(permission, 'lambda:InvokeFunction') || ')'
      else 'function URL without authentication'
    end as exposure
  from lambda_policy_changes
  where (action like 'AddPermission%'
      and trim(principal) = '*'
      and source_arn is null
      and source_account is null
      and principal_org_id is null)
    or (action not like 'AddPermission%' and auth_type = 'NONE')
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} made Lambda function {} public: {}', actor, coalesce(resource, 'an unnamed function'), exposure) as summary,
  [event_id] as evidence
from exposures
order by event_time
