-- ---
-- id: all/dormant-principal-active
-- title: Dormant principal active again
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1078.004, T1078]
-- controls:
--   nist_800_53_r5: ['AC-2', 'AC-2(12)', 'SI-4']
--   soc2_2017: ['CC6.2', 'CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   A principal that was active on at least min_history_days days in the lookback_days before window_start,
--   then did nothing for at least dormant_days, acts again in the window (at least min_events calls). Old
--   access keys, leavers' accounts and forgotten service principals are favourite footholds because nobody
--   watches them. Failed sign-ins do not count as activity, and AWS services acting for themselves are not
--   judged. The principal is the person behind a role session when the session is named after one, else the
--   role (rotating workload session names share one history), else the actor, per cloud. Only the whole UTC days
--   before window_start's day make the history (the activity profile), so the judged window never vouches
--   for itself; a principal never seen before is new, not dormant (new-source-network and the other baselines see it).
-- remediation: >
--   Confirm the owner still needs the principal and did this; if not, disable it (deactivate keys, block
--   sign-in) and review what it did. Remove principals unused for longer than your policy allows.
-- false_positives:
--   - Quarterly or yearly jobs, people back from long leave, break-glass accounts used in a drill.
-- params:
--   lookback_days: 180
--   dormant_days: 30
--   min_history_days: 3
--   min_events: 1
-- ---
with judged_activity as (
  select
    source,
    identity_of(actor, actor_type, actor_issuer) as identity,
    min(event_time) as event_time,
    arg_min(actor, event_time) as actor,
    arg_min(account, event_time) as account,
    arg_min(region, event_time) as region,
    arg_min(source_ip, event_time) as source_ip,
    arg_min(action, event_time) as action,
    count(*) as events,
    arg_min(event_id, event_time, 50) as evidence
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
    and not (source = 'aws' and actor_type = 'service')
    and not coalesce(is_failed_signin(outcome, action, format), false)
  group by source, identity
),
-- History from the activity profile (docs/detection.md): the whole UTC days before the window's
-- first day, so the judged window never vouches for itself; only the principals being judged.
history as (
  select
    a.source,
    a.identity,
    max(a.last_active_at) as last_seen,
    count(distinct a.day) as history_days,
    arg_max(a.last_active_event_id, a.last_active_at) as last_event_id
  from activity_days as a
  semi join judged_activity as j
    on j.source = a.source
    and j.identity = a.identity
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('lookback_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
    and a.active_events > 0
    and not (a.source = 'aws' and a.actor_type = 'service')
  group by a.source, a.identity
)
select
  j.event_time,
  j.actor,
  j.account,
  j.region,
  j.source_ip,
  j.action,
  null::varchar as resource,
  format('{} acted again ({} calls, first {}) after {} days without activity; last seen {}, active on {} days before that',
    j.identity, j.events, j.action, date_diff('day', h.last_seen, j.event_time), strftime(h.last_seen, '%Y-%m-%d'), h.history_days) as summary,
  list_prepend(h.last_event_id, j.evidence) as evidence,
  j.identity,
  date_diff('day', h.last_seen, j.event_time) as idle_days,
  j.events
from judged_activity as j
join history as h
  on h.source = j.source
  and h.identity = j.identity
where h.history_days >= getvariable('min_history_days')
  and j.event_time - h.last_seen >= to_days(getvariable('dormant_days')::integer)
  and j.events >= getvariable('min_events')
order by j.event_time
