-- ---
-- id: azure/policy-assignment-changed
-- title: Azure Policy assignment created or deleted
-- severity: medium
-- sources: [azure]
-- attack: [T1562.001, T1484]
-- controls:
--   cis_azure_v3.0.0: ['6.2.1', '6.2.2']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A policy assignment was created, updated or deleted. Deleting an assignment removes a guardrail
--   (deny public IPs, require encryption) for the whole scope.
-- remediation: >
--   Confirm the change with the governance owners; restore deleted assignments.
-- false_positives:
--   - Landing-zone deployments managing policy assignments.
-- params: {}
-- ---
with policy_assignment_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and lower(action) in ['microsoft.authorization/policyassignments/write', 'microsoft.authorization/policyassignments/delete']
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
  format('{} changed a policy assignment: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from policy_assignment_changed_events
order by event_time
