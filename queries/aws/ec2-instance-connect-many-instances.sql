-- ---
-- id: aws/ec2-instance-connect-many-instances
-- title: SSH keys pushed to many instances with EC2 Instance Connect
-- severity: medium
-- sources: [aws]
-- attack: [T1021, T1098.004]
-- controls:
--   soc2_2017: ['CC6.1']
--   nist_800_53_r5: ['AC-17', 'SI-4']
-- method: threshold
-- keys: [actor, account]
-- description: >
--   One principal pushes a temporary SSH key (SendSSHPublicKey) to at least min_instances distinct
--   instances within window_minutes. EC2 Instance Connect is a normal way to reach one instance; reaching
--   many in a short time is lateral movement, or an attacker with stolen credentials looking for the
--   instance with the most interesting role. The finding holds the busiest such stretch of the window.
-- remediation: >
--   Ask the principal what it was doing; if unknown, remove its ec2-instance-connect:SendSSHPublicKey
--   permission, rotate its credentials, and check the instances' logs for the sessions.
-- false_positives:
--   - Administrators fixing a fleet by hand; automation should use SSM instead.
-- params:
--   min_instances: 3
--   window_minutes: 60
-- ---
with pushes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.instanceId', resources[1]) as instance_id
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2-instance-connect.amazonaws.com'
    and action = 'SendSSHPublicKey'
    and outcome = 'success'
),
-- Every push opens a stretch of window_minutes; the pushes of the same principal in it are counted.
stretches as (
  select
    s.actor,
    s.account,
    s.event_time,
    count(distinct p.instance_id) as instances,
    list(distinct p.instance_id order by p.instance_id) as instance_ids,
    list(p.event_id order by p.event_time) as evidence,
    max(p.event_time) as last_time,
    any_value(s.region) as region,
    any_value(s.source_ip) as source_ip
  from pushes as s
  join pushes as p
    on p.actor = s.actor
    and p.account is not distinct from s.account
    and p.event_time >= s.event_time
    and p.event_time <= s.event_time + to_minutes(getvariable('window_minutes')::integer)
  group by s.actor, s.account, s.event_time
  having count(distinct p.instance_id) >= getvariable('min_instances')
),
busiest as (
  select
    actor,
    account,
    arg_max(event_time, instances) as event_time,
    arg_max(last_time, instances) as last_time,
    max(instances) as instances,
    arg_max(instance_ids, instances) as instance_ids,
    arg_max(evidence, instances) as evidence,
    arg_max(region, instances) as region,
    arg_max(source_ip, instances) as source_ip
  from stretches
  group by actor, account
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  'SendSSHPublicKey' as action,
  array_to_string(instance_ids, ', ') as resource,
  format('{} pushed SSH keys to {} instances between {} and {} UTC: {}', actor, instances,
    strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), array_to_string(instance_ids, ', ')) as summary,
  evidence,
  instances
from busiest
order by event_time
