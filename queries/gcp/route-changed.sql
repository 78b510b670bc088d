-- ---
-- id: gcp/route-changed
-- title: VPC route changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1562.007]
-- controls:
--   cis_gcp_v3.0.0: ['2.8']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A VPC route was created or deleted. Routes can send traffic around inspection or out through an
--   attacker-controlled instance.
-- remediation: >
--   Confirm the route change; look at next hops that are instances or external addresses.
-- false_positives:
--   - GKE routes-based clusters adding routes for nodes (actor is the GKE service agent).
-- params: {}
-- ---
with route_changed_events as (
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
    and regexp_matches(action, '^(v1|beta|alpha)\.compute\.routes\.(insert|delete)$')
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
  format('{} changed a route: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from route_changed_events
order by event_time
