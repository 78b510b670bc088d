-- ---
-- id: aws/admin-permissions-granted
-- title: Administrator permissions granted to an IAM identity
-- severity: high
-- sources: [aws]
-- attack: [T1098.003, T1078.004]
-- controls:
--   cis_aws_v4.0.0: ['4.4']
--   nist_800_53_r5: ['AC-6', 'AC-2(7)']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   An IAM user, role or group was given full administrator rights: a managed policy in admin_policies
--   attached, or an inline or customer managed policy (PutUserPolicy, PutRolePolicy, PutGroupPolicy,
--   CreatePolicyVersion) whose document allows Action * (or iam:*) on Resource *. A classic privilege
--   escalation and persistence step.
-- remediation: >
--   Confirm the grant with the account owner. Remove it if unexpected, and review what the grantee did
--   since.
-- false_positives:
--   - Account bootstrap granting a break-glass or pipeline role administrator rights.
-- params:
--   admin_policies: ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]
-- ---
with policy_grants as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.userName', raw->>'$.requestParameters.roleName', raw->>'$.requestParameters.groupName', raw->>'$.requestParameters.policyArn') as resource,
    raw->>'$.requestParameters.policyArn' as policy_arn,
    regexp_replace(coalesce(raw->>'$.requestParameters.policyDocument', ''), '\s', '', 'g') as policy_document
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'iam.amazonaws.com'
    and action in ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion']
    and outcome = 'success'
),
admin_grants as (
  select
    *,
    case
      when list_contains(getvariable('admin_policies'), policy_arn) then 'managed policy ' || policy_arn
      else 'a policy document allowing all actions on all resources'
    end as granted
  from policy_grants
  where list_contains(getvariable('admin_policies'), policy_arn)
    or (regexp_matches(policy_document, '"Effect":"Allow"')
      and regexp_matches(policy_document, '"Action":\[?"(\*|iam:\*)"')
      and regexp_matches(policy_document, '"Resource":\[?"\*"'))
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} gave {} {} ({})', actor, resource, granted, action) as summary,
  [event_id] as evidence
from admin_grants
order by event_time
