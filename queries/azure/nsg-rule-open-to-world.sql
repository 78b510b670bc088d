-- ---
-- id: azure/nsg-rule-open-to-world
-- title: NSG rule allows SSH, RDP or all ports from the internet
-- severity: high
-- sources: [azure]
-- attack: [T1562.007, T1133]
-- controls:
--   cis_azure_v3.0.0: ['6.2.3', '7.1', '7.2']
--   nist_800_53_r5: ['SC-7']
-- method: match
-- keys: [account, resource]
-- description: >
--   A network security group rule written to allow inbound traffic from any source (*, Internet, Any,
--   0.0.0.0/0) to a port in admin_ports or to every port, read from the Activity Log request body.
-- remediation: >
--   Delete or narrow the rule; use Azure Bastion or just-in-time VM access.
-- false_positives:
--   - Deliberately public services on admin ports (rare; prefer Bastion).
-- params:
--   admin_ports: ["22", "3389"]
-- ---
with security_rule_writes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    coalesce(try_cast(raw->>'$.properties.requestbody' as json), try_cast(raw->>'$.properties.requestBody' as json)) -> '$.properties' as rule
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and lower(action) = 'microsoft.network/networksecuritygroups/securityrules/write'
    and outcome = 'success'
),
parsed_rules as (
  select
    *,
    lower(rule->>'$.access') as access,
    lower(rule->>'$.direction') as direction,
    list_concat([rule->>'$.sourceAddressPrefix'], coalesce(json_transform(rule->'$.sourceAddressPrefixes', '["VARCHAR"]'), [])) as sources,
    list_concat([rule->>'$.destinationPortRange'], coalesce(json_transform(rule->'$.destinationPortRanges', '["VARCHAR"]'), [])) as ports
  from security_rule_writes
),
world_open_rules as (
  select
    *
  from parsed_rules
  where access = 'allow'
    and direction = 'inbound'
    and len([s for s in sources if lower(s) in ['*', 'internet', 'any', '0.0.0.0/0', '0.0.0.0', '::/0']]) > 0
    and len([
      p for p in ports
      if p = '*'
        or list_contains(getvariable('admin_ports'), p)
        or (p like '%-%' and len([x for x in getvariable('admin_ports') if x::integer between try_cast(split_part(p, '-', 1) as integer) and try_cast(split_part(p, '-', 2) as integer)]) > 0)
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
  format('{} allowed inbound port(s) {} from {} with {}', actor, array_to_string(list_filter(ports, p -> p is not null), ','), array_to_string(list_filter(sources, s -> s is not null), ','), resource) as summary,
  [event_id] as evidence
from world_open_rules
order by event_time
