-- ---
-- id: all/api-volume-spike
-- title: API call volume far above the principal's own baseline
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1580, T1526, T1119]
-- controls:
--   nist_800_53_r5: ['SI-4', 'AU-6']
-- method: baseline
-- keys: [actor, account]
-- description: >
--   Calls per principal in the judged window, scaled to a daily rate, against the same principal's daily
--   counts over the baseline_days before window_start (days without calls count as zero). The robust
--   z-score uses the median and the median absolute deviation, so one earlier burst does not hide the
--   next. The baseline is the whole UTC days before window_start's day (the activity profile), so the
--   judged window never feeds its own baseline. A principal needs at least min_active_days active baseline days to be judged.
-- remediation: >
--   Look at what the principal called: enumeration (List*, Describe*, Get*) across many services
--   suggests discovery with stolen credentials; bulk reads suggest collection.
-- false_positives:
--   - Batch jobs and migrations run once a month.
--   - "New features that legitimately raise a service principal's traffic."
-- params:
--   baseline_days: 14
--   min_active_days: 5
--   min_z: 6.0
--   min_calls: 100
-- ---
with judged_calls as (
  -- Counts only: the details of a principal's calls are looked up for the spiking few (details).
  select
    actor,
    account,
    count(*) as calls
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
  group by actor, account
),
baseline_days as (
  select
    unnest(generate_series(
      date_trunc('day', getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer)),
      date_trunc('day', getvariable('window_start')::timestamptz) - interval 1 day,
      interval 1 day
    ))::date as day
),
-- History from the activity profile (docs/detection.md): whole UTC days before the window's first
-- day, so the judged window never feeds its own baseline; only the principals being judged.
daily_history as (
  select
    a.actor,
    a.account,
    a.day,
    sum(a.events) as calls
  from activity_days as a
  semi join judged_calls as j
    on j.actor = a.actor
    and j.account is not distinct from a.account
  where a.day >= (select min(day) from baseline_days)
    and a.day <= (select max(day) from baseline_days)
  group by all
),
history_with_idle_days as (
  select
    p.actor,
    p.account,
    d.day,
    coalesce(h.calls, 0) as calls,
    h.calls is not null as active
  from (select distinct actor, account from daily_history) as p
  cross join baseline_days as d
  left join daily_history as h
    on h.actor = p.actor
    and h.account is not distinct from p.account
    and h.day = d.day
),
baseline_medians as (
  select
    actor,
    account,
    median(calls) as median_calls,
    count_if(active) as active_days
  from history_with_idle_days
  group by actor, account
),
baseline_stats as (
  select
    m.actor,
    m.account,
    m.median_calls,
    m.active_days,
    median(abs(h.calls - m.median_calls)) as mad_calls
  from baseline_medians as m
  join history_with_idle_days as h
    on h.actor = m.actor
    and h.account = m.account
  group by all
),
scored_principals as (
  select
    j.*,
    j.calls * 86400.0 / epoch(getvariable('window_end')::timestamptz - getvariable('window_start')::timestamptz) as daily_rate,
    b.median_calls,
    b.mad_calls,
    b.active_days,
    0.6745 * (daily_rate - b.median_calls) / greatest(b.mad_calls, 1) as robust_z
  from judged_calls as j
  join baseline_stats as b
    on b.actor = j.actor
    and b.account = j.account
),
spiking as materialized (
  select
    *
  from scored_principals
  where active_days >= getvariable('min_active_days')
    and calls >= getvariable('min_calls')
    and robust_z >= getvariable('min_z')
),
details as (
  select
    e.actor,
    e.account,
    min(e.event_time) as event_time,
    arg_min(e.region, e.event_time) as region,
    mode(e.source_ip) as source_ip,
    mode(e.action) as top_action,
    arg_min(e.event_id, e.event_time, 50) as evidence
  from events as e
  semi join spiking as s
    on s.actor = e.actor
    and s.account is not distinct from e.account
  where e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
  group by e.actor, e.account
)
select
  d.event_time,
  s.actor,
  s.account,
  d.region,
  d.source_ip,
  d.top_action as action,
  null::varchar as resource,
  format('{} made {} calls (about {} a day) against a daily median of {} over {} active baseline days (robust z {})',
    s.actor, s.calls, round(s.daily_rate)::bigint, s.median_calls, s.active_days, round(s.robust_z, 1)) as summary,
  d.evidence,
  s.calls,
  s.median_calls,
  round(s.robust_z, 2) as robust_z
from spiking as s
join details as d
  on d.actor = s.actor
  and d.account is not distinct from s.account
order by d.event_time
