-- ---
-- id: gcp/firewall-rule-changed
-- title: VPC firewall rule changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1562.007]
-- controls:
--   cis_gcp_v3.0.0: ['2.7']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A VPC firewall rule was created, changed or deleted. GCE writes one entry when the operation starts
--   and one when it ends; both carry the same fingerprint, so they make one finding.
-- remediation: >
--   Confirm the change; check new rules for 0.0.0.0/0 sources (the public exposure detector flags
--   SSH/RDP/all ports).
-- false_positives:
--   - GKE creating and deleting its own firewall rules (actor is the GKE service agent); tune by actor.
--   - Infrastructure-as-code applies.
-- params: {}
-- ---
with firewall_rule_changed_events as (
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
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'compute.googleapis.com'
    and regexp_matches(action, '^(v1|beta|alpha)\.compute\.firewalls\.(insert|patch|update|delete)$')
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
  format('{} changed a firewall rule: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from firewall_rule_changed_events
order by event_time
