-- ---
-- id: all/password-spray
-- title: Password spray from one source
-- severity: high
-- sources: [aws, azure]
-- attack: [T1110.003]
-- controls:
--   nist_800_53_r5: ['AC-7', 'SI-4']
-- method: threshold
-- keys: [source_ip, account]
-- description: >
--   One source address failing to sign in as at least min_users distinct users in the window (Entra ID
--   password errors in failure_codes, AWS console failures). Spraying tries one or two common passwords
--   against many accounts to stay under per-user lockout.
-- remediation: >
--   Block the source, check whether any of the targeted users then signed in successfully (the
--   spray-then-privilege sequence detector does), and enforce MFA and banned-password lists.
-- false_positives:
--   - A shared NAT or proxy in front of many users whose passwords just expired.
--   - Misconfigured service accounts or kiosks retrying stale credentials.
-- params:
--   min_users: 5
--   failure_codes: ["50126", "50053", "50034", "50056", "50055", "50057"]
-- ---
with sign_in_events as (
  -- Two scans, not one OR across columns: each filter is pushed into its scan, so raw is read for
  -- sign-ins only (docs/detector-format.md#writing-fast-detectors).
  select *
  from events
  where source = 'aws'
    and action = 'ConsoleLogin'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
  union all
  select *
  from events
  where source = 'azure'
    and format = 'entra_signin'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
),
sign_ins as (
  select
    event_id,
    event_time,
    source,
    account,
    region,
    source_ip,
    actor,
    outcome,
    error_code,
    case
      when source = 'aws' then lower(coalesce(raw->>'$.userIdentity.userName', regexp_extract(actor, '[^/:]+$')))
      else lower(actor)
    end as login_name
  from sign_in_events
),
failed_sign_ins as (
  select
    *
  from sign_ins
  where outcome = 'failure'
    and (source = 'aws' or list_contains(getvariable('failure_codes'), error_code))
),
failures_per_source as (
  select
    source_ip,
    account,
    min(event_time) as event_time,
    max(event_time) as last_time,
    arg_min(region, event_time) as region,
    count(distinct login_name) as users,
    count(*) as failures,
    list(distinct login_name order by login_name) as targeted_users,
    list(event_id order by event_time) as evidence
  from failed_sign_ins
  where source_ip is not null
  group by source_ip, account
)
select
  event_time,
  null::varchar as actor,
  account,
  region,
  source_ip,
  'sign-in' as action,
  null::varchar as resource,
  format('{} failed sign-ins for {} distinct users from {} between {} and {}', failures, users, source_ip, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M')) as summary,
  evidence,
  users,
  targeted_users
from failures_per_source
where users >= getvariable('min_users')
order by event_time
