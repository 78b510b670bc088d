-- ---
-- id: k8s/anonymous-request-allowed
-- title: Anonymous or unauthenticated request allowed by the cluster
-- severity: high
-- sources: [gcp]
-- attack: [T1190, T1078.001]
-- controls:
--   nist_800_53_r5: ['AC-14', 'AC-3']
-- method: match
-- keys: [account, source_ip, action]
-- description: >
--   A GKE API request made as system:anonymous or system:unauthenticated that the cluster allowed, other
--   than the health and version endpoints in ignored_paths. It means some RBAC binding grants anonymous
--   users access.
-- remediation: >
--   Find and remove bindings to system:anonymous / system:unauthenticated.
-- false_positives:
--   - Probes of /healthz, /livez, /readyz and /version, allowed by default (ignored).
-- params:
--   ignored_paths: ["/healthz", "/livez", "/readyz", "/version"]
-- ---
with anonymous_requests as (
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
    and service = 'k8s.io'
    and actor in ['system:anonymous', 'system:unauthenticated']
    and coalesce(details->>'$.k8s_decision', 'allow') = 'allow'
    and outcome = 'success'
    and not list_contains(getvariable('ignored_paths'), resources[1])
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('Anonymous request {} on {} allowed from {}', action, resource, source_ip) as summary,
  [event_id] as evidence
from anonymous_requests
order by event_time
