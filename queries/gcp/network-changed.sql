-- ---
-- id: gcp/network-changed
-- title: VPC network changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1562.007]
-- controls:
--   cis_gcp_v3.0.0: ['2.9']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A VPC network was created, patched or deleted, or a peering added, changed or removed. Peering joins
--   networks, possibly with another organization's.
-- remediation: >
--   Confirm the change; for peerings, confirm the peer network is yours.
-- false_positives:
--   - Network provisioning by infrastructure-as-code.
-- params: {}
-- ---
with network_changed_events as (
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
    and regexp_matches(action, '^(v1|beta|alpha)\.compute\.networks\.(insert|patch|delete|removePeering|addPeering|updatePeering|switchToCustomMode)$')
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
  format('{} changed a VPC network: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from network_changed_events
order by event_time
