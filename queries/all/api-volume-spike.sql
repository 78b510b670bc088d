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
--   counts on the days it was active in the baseline_days before window_start: the volume of its working
--   days, so a person who works every other day is not a spike on each of them. The robust z-score uses
--   the median and the median absolute deviation, floored at the square root of the median (counting
--   noise) and at 1, so one earlier burst does not hide the next and a perfectly regular job does not
--   turn a small rise into a spike. The baseline is the whole UTC days before window_start's day (the
--   activity profile), so the judged window never feeds its own baseline. A principal needs at least
--   min_active_days active baseline days to be judged.
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
-- The principal's usual volume on the days it works: the median and MAD of its active days. Idle
-- days are not counted as zero, or a person who works every other day (median 0) would spike on
-- every working day; whether it is active at all is for dormant-principal-active and off-hours-activity.
baseline_stats as (
  select
    actor,
    account,
    median(calls) as median_calls,
    count(*) as active_days
  from daily_history
  group by actor, account
),
baseline_spread as (
  select
    b.*,
    median(abs(h.calls - b.median_calls)) as mad_calls
  from baseline_stats as b
  join daily_history as h
    on h.actor = b.actor
    and h.account is not distinct from b.account
  group by all
),
scored_principals as (
  select
    j.*,
    j.calls * 86400.0 / epoch(getvariable('window_end')::timestamptz - getvariable('window_start')::timestamptz) as daily_rate,
    b.median_calls,
    b.mad_calls,
    b.active_days,
    0.6745 * (daily_rate - b.median_calls) / greatest(b.mad_calls, sqrt(b.median_calls), 1) as robust_z
  from judged_calls as j
  join baseline_spread as b
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
