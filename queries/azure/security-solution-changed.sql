-- ---
-- id: azure/security-solution-changed
-- title: Security solution created, updated or deleted
-- severity: medium
-- sources: [azure]
-- attack: [T1562.001]
-- controls:
--   cis_azure_v3.0.0: ['6.2.5', '6.2.6']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A Defender for Cloud security solution (a partner WAF, firewall or endpoint integration) was
--   created, updated or deleted.
-- remediation: >
--   Confirm the change with the security team; a deleted solution may leave workloads unprotected.
-- false_positives:
--   - Partner solution onboarding.
-- params: {}
-- ---
with security_solution_changed_events as (
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
    and lower(action) in ['microsoft.security/securitysolutions/write', 'microsoft.security/securitysolutions/delete']
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
  format('{} changed a security solution: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from security_solution_changed_events
order by event_time
