-- ---
-- id: gcp/sql-instance-config-changed
-- title: Cloud SQL instance configuration changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1578.005]
-- controls:
--   cis_gcp_v3.0.0: ['2.11']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A Cloud SQL instance's settings were updated: authorized networks, backups, flags, SSL enforcement.
--   An authorized network of 0.0.0.0/0 exposes the database.
-- remediation: >
--   Review the new settings, especially ipConfiguration.authorizedNetworks and requireSsl.
-- false_positives:
--   - Maintenance windows and tier changes made by the database team.
-- params: {}
-- ---
with sql_instance_config_changed_events as (
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
    and service in ['cloudsql.googleapis.com', 'sqladmin.googleapis.com']
    and action in ['cloudsql.instances.update', 'cloudsql.instances.patch']
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
  format('{} changed Cloud SQL settings: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from sql_instance_config_changed_events
order by event_time
