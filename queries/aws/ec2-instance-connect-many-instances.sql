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
-- Every push opens a stretch of window_minutes; the instances the same principal pushes to in it are
-- counted by a window count, which grows with the pushes (a self-join grew with their square: 8,000
-- pushes by one automation role took 1.1 s). Only each principal's busiest stretch, the earliest
-- of equals, is then gathered.
stretches as (
  select
    actor,
    account,
    event_time,
    count(distinct instance_id) over stretch as instances
  from pushes
  window stretch as (
    partition by actor, account
    order by event_time
    range between current row and to_minutes(getvariable('window_minutes')::integer) following
  )
),
busiest as (
  select
    actor,
    account,
    event_time as start_time
  from stretches
  where instances >= getvariable('min_instances')
  qualify row_number() over (partition by actor, account order by instances desc, event_time) = 1
),
gathered as (
  select
    b.actor,
    b.account,
    b.start_time as event_time,
    max(p.event_time) as last_time,
    count(distinct p.instance_id) as instances,
    list(distinct p.instance_id order by p.instance_id) as instance_ids,
    list(p.event_id order by p.event_time, p.event_id) as evidence,
    arg_min(p.region, p.event_time) as region,
    arg_min(p.source_ip, p.event_time) as source_ip
  from busiest as b
  join pushes as p
    on p.actor = b.actor
    and p.account is not distinct from b.account
    and p.event_time >= b.start_time
    and p.event_time <= b.start_time + to_minutes(getvariable('window_minutes')::integer)
  group by b.actor, b.account, b.start_time
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
from gathered
order by event_time
