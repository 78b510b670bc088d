-- ---
-- id: aws/organizations-changed
-- title: AWS Organizations changed
-- severity: high
-- sources: [aws]
-- attack: [T1666, T1484.002]
-- controls:
--   cis_aws_v4.0.0: ['4.15']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A change to the AWS organization: accounts created, invited, moved, removed or leaving,
--   organizational units changed, or service control policies created, attached, detached or updated. An
--   account leaving the organization escapes its guardrails, so LeaveOrganization is reported even when
--   it was denied: the attempt is the signal (an SCP that stops it is doing its job).
-- remediation: >
--   Confirm the change with the organization administrators; an account leaving, or an SCP being
--   detached, deserves a call.
-- false_positives:
--   - Account vending (Control Tower Account Factory) creating and moving accounts.
-- params: {}
-- ---
with organizations_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    outcome,
    error_code,
    coalesce(raw->>'$.requestParameters.policyId', raw->>'$.requestParameters.accountId', raw->>'$.requestParameters.organizationalUnitId', raw->>'$.requestParameters.targetId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'organizations.amazonaws.com'
    and action in ['AcceptHandshake', 'AttachPolicy', 'CreateAccount', 'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy', 'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount', 'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit']
    and (outcome = 'success' or action = 'LeaveOrganization')
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
    when outcome = 'success' then format('{} changed the AWS organization: {} on {}', actor, action, coalesce(resource, 'an unnamed resource'))
    else format('{} tried to take account {} out of the AWS organization ({}: {})', actor, account, outcome, coalesce(error_code, 'no error code'))
  end as summary,
  [event_id] as evidence
from organizations_changed_events
order by event_time
