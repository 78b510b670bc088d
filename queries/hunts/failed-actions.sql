-- ---
-- id: failed-actions
-- title: Failed actions by principal
-- sources: [aws, gcp, azure]
-- description: >
--   Denied and failed calls grouped by principal, action and error, most frequent first: probing
--   for permissions (AccessDenied, PERMISSION_DENIED, AuthorizationFailed), broken automation, failed
--   sign-ins. Narrow it to one principal with a pattern.
-- params:
--   principal:
--     type: string
--     description: an actor or a pattern (% and _ are wildcards); every principal by default
--     default: '%'
--   min_failures:
--     type: integer
--     description: only groups with at least this many failures
--     default: 1
-- examples:
--   - auditlake hunt failed-actions --param min_failures=5 --since 2026-11-01
--   - auditlake hunt failed-actions --param 'principal=%alice%'
-- ---
select
  actor,
  source,
  account,
  action,
  coalesce(error_code, 'unknown') as error_code,
  count(*) as failures,
  min(event_time) as first_seen,
  max(event_time) as last_seen,
  list_sort(list_distinct(list(source_ip) filter (where source_ip is not null))) as source_ips,
  arg_min(event_id, event_time, 20) as evidence
from events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and outcome = 'failure'
  and coalesce(actor, '') ilike getvariable('principal')
group by actor, source, account, action, coalesce(error_code, 'unknown')
having count(*) >= getvariable('min_failures')
order by failures desc, actor, action
