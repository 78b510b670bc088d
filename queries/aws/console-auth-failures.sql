-- ---
-- id: aws/console-auth-failures
-- title: Console authentication failures
-- severity: medium
-- sources: [aws]
-- attack: [T1110.001]
-- controls:
--   cis_aws_v4.0.0: ['4.6']
--   nist_800_53_r5: ['AC-7']
-- method: threshold
-- keys: [actor, account, source_ip]
-- description: >
--   Failed AWS console sign-ins (ConsoleLogin with result Failure) per user name and source address,
--   reported when there are at least min_failures in the window. CloudTrail hides user names that do not
--   exist in the account (HIDDEN_DUE_TO_SECURITY_REASONS): those group together per source.
-- remediation: >
--   Check whether the user mistyped or someone is guessing: look at the source address and whether a
--   success followed (the brute force detector correlates that). Require MFA for console users.
-- false_positives:
--   - A user who forgot a password after a rotation.
--   - Password managers retrying an old password.
-- params:
--   min_failures: 3
-- ---
with failed_console_logins as (
  select
    event_id,
    event_time,
    coalesce(actor, raw->>'$.userIdentity.userName') as actor,
    account,
    region,
    source_ip
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and action = 'ConsoleLogin'
    and outcome = 'failure'
),
failures_per_user_and_source as (
  select
    actor,
    account,
    source_ip,
    min(event_time) as event_time,
    max(event_time) as last_time,
    arg_min(region, event_time) as region,
    count(*) as failures,
    list(event_id order by event_time) as evidence
  from failed_console_logins
  group by actor, account, source_ip
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  'ConsoleLogin' as action,
  null::varchar as resource,
  format('{} failed console sign-ins for {} from {} between {} and {}', failures, actor, source_ip, strftime(event_time, '%H:%M'), strftime(last_time, '%H:%M')) as summary,
  evidence,
  failures
from failures_per_user_and_source
where failures >= getvariable('min_failures')
order by event_time
