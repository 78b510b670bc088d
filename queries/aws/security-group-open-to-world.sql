-- ---
-- id: aws/security-group-open-to-world
-- title: Security group opened to the internet on SSH, RDP or all ports
-- severity: high
-- sources: [aws]
-- attack: [T1562.007, T1133]
-- controls:
--   cis_aws_v4.0.0: ['4.10']
--   nist_800_53_r5: ['SC-7', 'CM-7']
-- method: match
-- keys: [account, resource, port_range]
-- description: >
--   An ingress rule from 0.0.0.0/0 or ::/0 that covers a port in admin_ports (SSH 22, RDP 3389 by
--   default) or all ports and protocols. Such rules are scanned within minutes of being created.
-- remediation: >
--   Remove the rule; reach instances through Session Manager, a bastion or a VPN instead.
-- false_positives:
--   - Bastion hosts deliberately open to the world (prefer restricting to office ranges).
-- params:
--   admin_ports: [22, 3389]
-- ---
with ingress_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw->>'$.requestParameters.groupId' as resource,
    unnest(json_transform(raw->'$.requestParameters.ipPermissions.items',
      '[{"ipProtocol": "VARCHAR", "fromPort": "INTEGER", "toPort": "INTEGER", "ipRanges": {"items": [{"cidrIp": "VARCHAR"}]}, "ipv6Ranges": {"items": [{"cidrIpv6": "VARCHAR"}]}}]')) as permission
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action = 'AuthorizeSecurityGroupIngress'
    and outcome = 'success'
),
world_open_rules as (
  select
    *,
    case
      when permission.ipProtocol = '-1' then 'all'
      else permission.ipProtocol || '/' || permission.fromPort || '-' || permission.toPort
    end as port_range
  from ingress_changes
  where (list_contains([r.cidrIp for r in coalesce(permission.ipRanges.items, [])], '0.0.0.0/0')
      or list_contains([r.cidrIpv6 for r in coalesce(permission.ipv6Ranges.items, [])], '::/0'))
    and (permission.ipProtocol = '-1'
      or len([p for p in getvariable('admin_ports') if p between permission.fromPort and permission.toPort]) > 0)
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} opened {} ({}) on security group {} to the whole internet', actor, port_range, case when port_range = 'all' then 'every port' else 'includes an admin port' end, resource) as summary,
  [event_id] as evidence,
  port_range
from world_open_rules
order by event_time
