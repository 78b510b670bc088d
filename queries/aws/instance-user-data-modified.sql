-- ---
-- id: aws/instance-user-data-modified
-- title: EC2 instance user data (startup script) changed
-- severity: high
-- sources: [aws]
-- attack: [T1059.009, T1578]
-- controls:
--   soc2_2017: ['CC6.8', 'CC7.2']
--   nist_800_53_r5: ['CM-3', 'SI-4']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   ModifyInstanceAttribute that sets an instance's user data. The instance must be stopped for this;
--   at its next start cloud-init runs the new script as root, so whoever can change user data can run
--   any code on the instance and read its role's credentials, without SSH or SSM. Changing the user
--   data of an existing instance is rare in practice: images and launch templates carry it instead.
--   CloudTrail hides the script itself ("<sensitiveDataRemoved>"), so it cannot be judged here.
-- remediation: >
--   Read the instance's user data (DescribeInstanceAttribute userData) before starting it again, restore
--   the known script, and review what ran if it has been started since.
-- false_positives:
--   - Maintenance scripts that update user data of stopped instances (should use launch templates).
-- params: {}
-- ---
with user_data_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.instanceId', resources[1]) as resource,
    raw->'$.requestParameters' as request
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action = 'ModifyInstanceAttribute'
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
  format('{} changed the user data (startup script) of instance {} in {}', actor, coalesce(resource, 'unknown'), region) as summary,
  [event_id] as evidence
from user_data_changes
-- the request names userData either as a value or as the attribute being set
where json_exists(request, '$.userData')
  or lower(request->>'$.attribute') = 'userdata'
order by event_time
