-- ---
-- id: aws/ssm-commands-many-instances
-- title: Commands or sessions on many instances through SSM
-- severity: medium
-- sources: [aws]
-- attack: [T1651, T1021.007]
-- controls:
--   soc2_2017: ['CC6.1', 'CC7.2']
--   nist_800_53_r5: ['AC-17', 'SI-4']
-- method: threshold
-- keys: [identity, account]
-- description: >
--   One principal runs commands (SendCommand) or opens shell sessions (StartSession) on at least
--   min_instances distinct instances within window_minutes through AWS Systems Manager. SSM reaches
--   instances without SSH, keys or open ports and runs as root, so stolen credentials with ssm
--   permissions execute code across a fleet in one call. Counted per principal (the person behind a role
--   session when named after one, else the role), over instance ids and, for SendCommand by tag, each
--   target. AWS services acting for State Manager or maintenance windows are not counted.
-- remediation: >
--   Read the command's document and parameters (GetCommandInvocation) or the session logs, and if the
--   principal should not run them, revoke its credentials and its ssm:SendCommand and ssm:StartSession
--   permissions.
-- false_positives:
--   - "Fleet automation run by a role (patching, deployments): suppress the role, or move it to State Manager."
--   - Administrators fixing many instances by hand.
-- params:
--   min_instances: 3
--   window_minutes: 60
-- ---
with ssm_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    identity_of(actor, actor_type, actor_issuer) as identity,
    case action
      when 'StartSession' then [raw->>'$.requestParameters.target']
      else coalesce(json_transform(raw->'$.requestParameters.instanceIds', '["VARCHAR"]'), [])
        || [('targets:' || t::varchar) for t in coalesce(json_transform(raw->'$.requestParameters.targets', '["JSON"]'), [])]
    end as reached
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ssm.amazonaws.com'
    and action in ['SendCommand', 'StartSession']
    and outcome = 'success'
    and actor_type is distinct from 'service'
),
reaches as (
  select
    * exclude (reached),
    unnest(reached) as instance_id
  from ssm_calls
),
-- Every call opens a stretch of window_minutes; the instances the same principal reaches in it are
-- counted by a window count, which grows with the calls (a self-join grew with their square: 8,000
-- calls by one automation role took 1.9 s). Only each principal's busiest stretch, the earliest of
-- equals, is then gathered.
stretches as (
  select
    identity,
    account,
    event_time,
    count(distinct instance_id) over stretch as instances
  from reaches
  window stretch as (
    partition by identity, account
    order by event_time
    range between current row and to_minutes(getvariable('window_minutes')::integer) following
  )
),
busiest as (
  select
    identity,
    account,
    event_time as start_time
  from stretches
  where instances >= getvariable('min_instances')
  qualify row_number() over (partition by identity, account order by instances desc, event_time) = 1
),
gathered as (
  select
    b.identity,
    b.account,
    b.start_time as event_time,
    max(r.event_time) as last_time,
    count(distinct r.instance_id) as instances,
    list(distinct r.instance_id order by r.instance_id) as instance_ids,
    list(distinct r.event_id order by r.event_id) as evidence,
    list(distinct r.action order by r.action) as actions,
    arg_min(r.actor, r.event_time) as actor,
    arg_min(r.region, r.event_time) as region,
    arg_min(r.source_ip, r.event_time) as source_ip
  from busiest as b
  join reaches as r
    on r.identity = b.identity
    and r.account is not distinct from b.account
    and r.event_time >= b.start_time
    and r.event_time <= b.start_time + to_minutes(getvariable('window_minutes')::integer)
  where r.instance_id is not null
  group by b.identity, b.account, b.start_time
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  array_to_string(actions, ', ') as action,
  array_to_string(instance_ids, ', ') as resource,
  format('{} reached {} instances through SSM ({}) between {} and {} UTC: {}', identity, instances, array_to_string(actions, ', '),
    strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), array_to_string(instance_ids, ', ')) as summary,
  evidence,
  identity,
  instances
from gathered
order by event_time
