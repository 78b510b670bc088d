-- ---
-- id: aws/unauthorized-api-calls
-- title: Unauthorized API calls
-- severity: medium
-- sources: [aws]
-- attack: [T1078.004, T1580]
-- controls:
--   cis_aws_v4.0.0: ['4.1']
--   nist_800_53_r5: ['AC-6(9)', 'SI-4']
-- method: threshold
-- keys: [actor, account]
-- description: >
--   A principal whose API calls AWS refused for lack of permission (AccessDenied, UnauthorizedOperation
--   and their variants) at least min_denied times in the window. Stolen credentials probing what they
--   may do produce exactly this; one stray denial does not.
-- remediation: >
--   Review which calls were denied and from where. If the principal is not known to probe (a scanner, a
--   least-privilege rollout), rotate its credentials and review its successful calls in the same window.
-- false_positives:
--   - Permission boundaries or SCPs rolled out recently, denying calls that applications still make.
--   - Console users opening pages whose background calls they are not allowed (console browsing emits many AccessDenied).
--   - Security scanners that deliberately enumerate permissions.
-- params:
--   min_denied: 5
-- ---
with denied_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    error_code
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and outcome = 'failure'
    and (error_code ilike '%UnauthorizedOperation' or error_code ilike 'AccessDenied%' or error_code ilike '%.AccessDenied')
    and coalesce(actor_type, '') <> 'service'
    and coalesce(log_type, '') <> 'AwsServiceEvent'
),
denials_per_principal as (
  select
    actor,
    account,
    min(event_time) as event_time,
    arg_min(region, event_time) as region,
    arg_min(source_ip, event_time) as source_ip,
    count(*) as denied,
    count(distinct action) as distinct_actions,
    list(distinct action order by action) as actions,
    list(event_id order by event_time) as evidence
  from denied_calls
  group by actor, account
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  'AccessDenied' as action,
  null::varchar as resource,
  format('{} had {} API calls denied ({} distinct: {})', actor, denied, distinct_actions, array_to_string(actions[1:5], ', ')) as summary,
  evidence,
  denied,
  distinct_actions
from denials_per_principal
where denied >= getvariable('min_denied')
order by event_time
