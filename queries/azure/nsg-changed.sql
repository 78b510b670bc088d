-- ---
-- id: azure/nsg-changed
-- title: Network security group or rule changed
-- severity: medium
-- sources: [azure]
-- attack: [T1562.007]
-- controls:
--   cis_azure_v3.0.0: ['6.2.3', '6.2.4']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A network security group, or one of its security rules, was created, updated or deleted. NSGs are
--   the subnet and NIC firewall in Azure.
-- remediation: >
--   Confirm the change; review new inbound rules for Internet or * sources.
-- false_positives:
--   - Infrastructure-as-code deployments.
--   - AKS and other managed services adding rules to their own NSGs.
-- params: {}
-- ---
with nsg_changed_events as (
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
    and lower(action) in ['microsoft.network/networksecuritygroups/write', 'microsoft.network/networksecuritygroups/delete', 'microsoft.network/networksecuritygroups/securityrules/write', 'microsoft.network/networksecuritygroups/securityrules/delete']
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
  format('{} changed a network security group: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from nsg_changed_events
order by event_time
