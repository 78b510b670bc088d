-- ---
-- id: new-principals
-- title: New principals this month
-- sources: [aws, gcp, azure]
-- description: >
--   Principals whose first event in the store falls in the window (the last 30 days by default):
--   new users, roles, sessions' issuers, service accounts and apps, with what they did first. The
--   store's whole history before the window is the baseline, so a short history makes everyone
--   new: compare with how far back the store reaches (select min(event_time) from events).
-- window: 30d
-- params:
--   min_events:
--     type: integer
--     description: only principals with at least this many events in the window
--     default: 1
-- examples:
--   - auditlake hunt new-principals
--   - auditlake hunt new-principals --since 2026-11-10 --until 2026-11-15
-- ---
with principal_history as (
  select
    source,
    -- An AWS session is new each time: judge the role it was issued by instead.
    case when source = 'aws' and actor_type = 'role' and actor_issuer is not null then actor_issuer else actor end as principal,
    min(event_time) as first_seen
  from events
  where event_time < getvariable('window_end')
    and actor is not null
  group by all
),
new_principals as (
  select source, principal, first_seen
  from principal_history
  where first_seen >= getvariable('window_start')
),
window_events as (
  select
    e.source,
    case when e.source = 'aws' and e.actor_type = 'role' and e.actor_issuer is not null then e.actor_issuer else e.actor end as principal,
    e.actor_type,
    e.account,
    e.action,
    e.source_ip,
    e.event_time,
    e.event_id
  from events e
  where e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
    and e.actor is not null
)
select
  n.first_seen,
  n.source,
  n.principal,
  any_value(w.actor_type) as actor_type,
  list_sort(list_distinct(list(w.account) filter (where w.account is not null))) as accounts,
  count(*) as events,
  max(w.event_time) as last_seen,
  list(w.action order by w.event_time, w.event_id)[1:5] as first_actions,
  list_sort(list_distinct(list(w.source_ip) filter (where w.source_ip is not null)))[1:10] as source_ips,
  list(w.event_id order by w.event_time, w.event_id)[1:20] as evidence
from new_principals n
join window_events w
  on w.source = n.source
  and w.principal = n.principal
group by n.first_seen, n.source, n.principal
having count(*) >= getvariable('min_events')
order by n.first_seen, n.principal
