-- ---
-- id: gcp/firewall-open-to-world
-- title: Firewall rule allows SSH, RDP or all ports from the internet
-- severity: high
-- sources: [gcp]
-- attack: [T1562.007, T1133]
-- controls:
--   cis_gcp_v3.0.0: ['2.7', '3.6', '3.7']
--   nist_800_53_r5: ['SC-7']
-- method: match
-- keys: [account, resource]
-- description: >
--   A firewall rule inserted, patched or updated to allow ingress from 0.0.0.0/0 or ::/0 on a port in
--   admin_ports or on every port (no ports listed, or protocol all).
-- remediation: >
--   Delete or narrow the rule; use IAP TCP forwarding for SSH and RDP.
-- false_positives:
--   - Deliberately public bastions (prefer IAP).
-- params:
--   admin_ports: ["22", "3389"]
-- ---
with firewall_writes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    coalesce(raw->'$.protoPayload.request', '{}') as rule
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'compute.googleapis.com'
    and regexp_matches(action, '\.compute\.firewalls\.(insert|patch|update)$')
    and outcome = 'success'
),
parsed_rules as (
  select
    *,
    json_transform(rule->'$.sourceRanges', '["VARCHAR"]') as source_ranges,
    json_transform(coalesce(rule->'$.alloweds', rule->'$.allowed'), '[{"IPProtocol": "VARCHAR", "ports": ["VARCHAR"]}]') as allowed,
    coalesce(rule->>'$.direction', 'INGRESS') as direction
  from firewall_writes
),
world_open_rules as (
  select
    *,
    [a.IPProtocol || ':' || coalesce(array_to_string(a.ports, ','), 'all') for a in allowed] as opened
  from parsed_rules
  where direction = 'INGRESS'
    and (list_contains(source_ranges, '0.0.0.0/0') or list_contains(source_ranges, '::/0'))
    and len([
      a for a in allowed
      if a.IPProtocol = 'all'
        or len(coalesce(a.ports, [])) = 0
        or len([p for p in a.ports if list_contains(getvariable('admin_ports'), p)
          or (p like '%-%' and len([x for x in getvariable('admin_ports') if x::integer between try_cast(split_part(p, '-', 1) as integer) and try_cast(split_part(p, '-', 2) as integer)]) > 0)]) > 0
    ]) > 0
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} opened {} to the internet with firewall rule {}', actor, array_to_string(opened, ' '), resource) as summary,
  [event_id] as evidence
from world_open_rules
order by event_time
