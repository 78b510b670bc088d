-- ---
-- id: azure/public-ip-changed
-- title: Public IP address created, updated or deleted
-- severity: low
-- sources: [azure]
-- attack: [T1578.005]
-- controls:
--   cis_azure_v3.0.0: ['6.2.9', '6.2.10']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A public IP address resource was created, updated or deleted: a new way in from the internet, or a
--   change to one.
-- remediation: >
--   Confirm which resource the address is attached to and that it is meant to be reachable.
-- false_positives:
--   - Load balancers and gateways created by infrastructure-as-code.
-- params: {}
-- ---
with public_ip_changed_events as (
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
    and lower(action) in ['microsoft.network/publicipaddresses/write', 'microsoft.network/publicipaddresses/delete']
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
  format('{} changed a public IP address: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from public_ip_changed_events
order by event_time
