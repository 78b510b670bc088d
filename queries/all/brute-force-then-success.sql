-- ---
-- id: all/brute-force-then-success
-- title: Repeated failed sign-ins followed by a success
-- severity: high
-- sources: [aws, azure]
-- attack: [T1110.001, T1078.004]
-- controls:
--   cis_aws_v4.0.0: ['4.6']
--   nist_800_53_r5: ['AC-7', 'SI-4']
-- method: sequence
-- keys: [actor, account]
-- description: >
--   A successful sign-in (AWS console or Entra ID) by a user who failed to sign in at least min_failures
--   times in the lookback_minutes before it. Entra failures count only for the password error codes in
--   failure_codes (50126 wrong password, 50053 locked, 50056 no password), not for interrupts such as
--   50140 or 50074 that every normal sign-in can produce. The success must be in the window; the
--   failures before it may lie before window_start.
-- remediation: >
--   Treat the account as compromised until shown otherwise: confirm with the user, reset the password,
--   revoke sessions, and review what the session did.
-- false_positives:
--   - A user who forgot the password after a rotation and finally got it right.
--   - Clients retrying a stale saved password just before the user signs in interactively.
-- params:
--   min_failures: 5
--   lookback_minutes: 60
--   failure_codes: ["50126", "50053", "50056"]
-- ---
with sign_in_events as (
  -- Two scans, not one OR across columns: each filter is pushed into its scan, so raw is read for
  -- sign-ins only (docs/detector-format.md#writing-fast-detectors).
  select *
  from events
  where source = 'aws'
    and action = 'ConsoleLogin'
    and event_time >= getvariable('window_start')::timestamptz - to_minutes(getvariable('lookback_minutes')::integer)
    and event_time < getvariable('window_end')
  union all
  select *
  from events
  where source = 'azure'
    and format = 'entra_signin'
    and event_time >= getvariable('window_start')::timestamptz - to_minutes(getvariable('lookback_minutes')::integer)
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
    and login_name <> 'hidden_due_to_security_reasons'
    and (source = 'aws' or list_contains(getvariable('failure_codes'), error_code))
),
successful_sign_ins as (
  select
    *
  from sign_ins
  where outcome = 'success'
    and event_time >= getvariable('window_start')
),
successes_after_failures as (
  select
    s.event_id,
    s.event_time,
    s.actor,
    s.account,
    s.region,
    s.source_ip,
    count(f.event_id) as failures,
    count(distinct f.source_ip) as failure_sources,
    -- The first 200 failures: with thousands, the success appended after them must still fit the
    -- finding's evidence (1,000 ids).
    arg_min(f.event_id, f.event_time, 200) as failure_ids
  from successful_sign_ins s
  join failed_sign_ins f
    on f.account = s.account
    and f.login_name = s.login_name
    and f.event_time < s.event_time
    and f.event_time >= s.event_time - to_minutes(getvariable('lookback_minutes')::integer)
  group by all
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  'sign-in' as action,
  null::varchar as resource,
  format('{} signed in from {} after {} failed attempts from {} source(s) in the preceding {} minutes', actor, source_ip, failures, failure_sources, getvariable('lookback_minutes')) as summary,
  list_append(failure_ids, event_id) as evidence,
  failures
from successes_after_failures
where failures >= getvariable('min_failures')
order by event_time
