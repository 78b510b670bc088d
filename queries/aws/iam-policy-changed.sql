-- ---
-- id: aws/iam-policy-changed
-- title: IAM policy changed
-- severity: medium
-- sources: [aws]
-- attack: [T1098.003]
-- controls:
--   cis_aws_v4.0.0: ['4.4']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A change to IAM permissions: an inline policy put or deleted, a managed policy created, versioned,
--   deleted or attached to or detached from a user, role or group. These calls define who may do what in
--   the account.
-- remediation: >
--   Confirm the change came from the expected pipeline or person and matches a change request; review
--   the policy document for wildcards.
-- false_positives:
--   - Infrastructure-as-code pipelines (CloudFormation, Terraform) applying reviewed changes; tune by actor in auditlake.yaml suppressions.
--   - IAM Identity Center provisioning permission sets into member accounts.
-- params: {}
-- ---
with iam_policy_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.policyArn', raw->>'$.requestParameters.policyName', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'iam.amazonaws.com'
    and action in ['PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'DeleteUserPolicy', 'DeleteRolePolicy', 'DeleteGroupPolicy', 'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'AttachGroupPolicy', 'DetachGroupPolicy']
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
  format('{} changed IAM policy: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from iam_policy_changed_events
order by event_time
