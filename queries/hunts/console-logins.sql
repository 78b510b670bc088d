-- ---
-- id: console-logins
-- title: Console sign-ins by principal, with and without MFA
-- sources: [aws, azure]
-- description: >
--   Interactive sign-ins per principal: AWS console logins (ConsoleLogin) and Entra ID interactive
--   sign-ins, with how many used MFA, how many did not, how many the record does not say, how many
--   failed, and from where. Set without_mfa_only to see only the principals that signed in
--   successfully without MFA at least once.
-- params:
--   principal:
--     type: string
--     description: an actor or a pattern (% and _ are wildcards); every principal by default
--     default: '%'
--   without_mfa_only:
--     type: boolean
--     description: only principals with a successful sign-in without MFA
--     default: false
-- examples:
--   - auditlake hunt console-logins
--   - auditlake hunt console-logins --param without_mfa_only=true --since 2026-11-01
-- ---
with sign_ins as (
  select
    event_id,
    event_time,
    source,
    account,
    actor,
    outcome,
    mfa,
    source_ip
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and coalesce(actor, '') ilike getvariable('principal')
    and (
      (source = 'aws' and action = 'ConsoleLogin')
      or (format = 'entra_signin' and coalesce((details ->> '$.is_interactive') = 'true', log_type = 'SignInLogs'))
    )
)
select
  actor,
  source,
  list_sort(list_distinct(list(account) filter (where account is not null))) as accounts,
  count(*) as sign_ins,
  count(*) filter (where outcome = 'success') as succeeded,
  count(*) filter (where outcome = 'failure') as failed,
  count(*) filter (where outcome = 'success' and mfa) as with_mfa,
  count(*) filter (where outcome = 'success' and not mfa) as without_mfa,
  count(*) filter (where outcome = 'success' and mfa is null) as mfa_unknown,
  min(event_time) as first_seen,
  max(event_time) as last_seen,
  list_sort(list_distinct(list(source_ip) filter (where source_ip is not null)))[1:10] as source_ips,
  list(event_id order by event_time, event_id) filter (where outcome = 'success' and not mfa)[1:20] as without_mfa_evidence
from sign_ins
group by actor, source
having not getvariable('without_mfa_only') or count(*) filter (where outcome = 'success' and not mfa) > 0
order by without_mfa desc, sign_ins desc, actor
