-- ---
-- id: azure/sql-firewall-rule-changed
-- title: SQL server firewall rule changed
-- severity: medium
-- sources: [azure]
-- attack: [T1562.007]
-- controls:
--   cis_azure_v3.0.0: ['6.2.7', '6.2.8']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   An Azure SQL server firewall rule was created, updated or deleted. A rule from 0.0.0.0 to
--   255.255.255.255 opens the server to the internet.
-- remediation: >
--   Review the rule's address range; prefer private endpoints.
-- false_positives:
--   - Developers adding their own address temporarily (the portal does this with one click).
-- params: {}
-- ---
with sql_firewall_rule_changed_events as (
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
    and lower(action) in ['microsoft.sql/servers/firewallrules/write', 'microsoft.sql/servers/firewallrules/delete']
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
  format('{} changed a SQL firewall rule: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from sql_firewall_rule_changed_events
order by event_time
