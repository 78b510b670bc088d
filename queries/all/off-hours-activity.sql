-- ---
-- id: all/off-hours-activity
-- title: Principal active far outside its usual hours
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1078.004]
-- controls:
--   nist_800_53_r5: ['AC-2(12)', 'SI-4']
--   soc2_2017: ['CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   An established principal makes at least min_events calls in the window at hours of the day (UTC) that
--   are at least min_hours_away from every hour it usually works in. Usual hours are the hours in which the
--   principal was active, in any cloud, on at least min_days_per_hour of the baseline_days before
--   window_start; a principal needs min_active_days active days there to be judged, so new principals do not
--   flood findings, and machines that run around the clock have no off-hours at all. The principal is the
--   person behind a role session when the session is named after one (Identity Center, SAML), else the
--   role (rotating workload session names share one history), else the actor. Failed sign-ins are not
--   counted (someone else may be trying the account). The baseline ends at the start of window_start's day
--   (whole UTC days, from the activity profile), so the judged window never feeds its own baseline. Only people are judged (named role sessions, IAM, Entra and
--   Google users, root): workloads follow deploy and job schedules, not working hours.
-- remediation: >
--   Ask the person whether it was them; look at what was done (writes, secret reads, IAM changes) and from
--   where (source_ip, user agent). Unexplained activity at night from a new address is a strong sign of
--   stolen credentials.
-- false_positives:
--   - On-call work, incident response and planned maintenance windows.
--   - Travel to another time zone; daylight-saving changes shift a usual hour by one (min_hours_away absorbs it).
--   - Batch jobs under a person's credentials scheduled at night.
-- params:
--   baseline_days: 28
--   min_active_days: 5
--   min_days_per_hour: 2
--   min_hours_away: 3
--   min_events: 10
-- ---
with people_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    identity_of(actor, actor_type, actor_issuer) as identity
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
    and not coalesce(is_failed_signin(outcome, action, format), false)
    and actor_type is distinct from 'service'
    and (identity_of(actor, actor_type, actor_issuer) like '%@%' or actor_type in ['user', 'root'])
),
-- Usual hours from the activity profile (docs/detection.md): an hour of the day (UTC) is usual when
-- the principal was active in it on at least min_days_per_hour of the whole UTC days before the
-- window's first day, so the judged window never feeds its own baseline.
baseline_days as (
  select
    a.identity,
    a.day,
    list_distinct(flatten(list(a.hours))) as hours
  from activity_days as a
  semi join people_events as j
    on j.identity = a.identity
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
    and a.active_events > 0
    and a.actor_type is distinct from 'service'
    and (a.identity like '%@%' or a.actor_type in ['user', 'root'])
  group by a.identity, a.day
),
baseline_hours as (
  select
    identity,
    hour_of_day,
    count(*) as days
  from (select identity, unnest(hours) as hour_of_day from baseline_days)
  group by all
),
baseline_groups as (
  select
    d.identity,
    count(*) as active_days,
    any_value(h.usual_hours) as usual_hours
  from baseline_days as d
  left join (
    select
      identity,
      list(hour_of_day order by hour_of_day) as usual_hours
    from baseline_hours
    where days >= getvariable('min_days_per_hour')
    group by identity
  ) as h
    on h.identity = d.identity
  group by d.identity
),
-- For each hour of the day (index hour + 1), the hours to the principal's nearest usual hour (12
-- when it has none): worked out once per principal rather than once per event.
baseline_profiles as (
  select
    *,
    [coalesce(list_min([least(abs(h - u), 24 - abs(h - u)) for u in coalesce(usual_hours, [])]), 12) for h in range(24)] as hours_away_by_hour
  from baseline_groups
),
judged_events as (
  select
    e.*,
    p.usual_hours,
    p.active_days,
    p.hours_away_by_hour[hour(e.event_time) + 1] as hours_away
  from people_events as e
  join baseline_profiles as p
    on p.identity = e.identity
  where p.active_days >= getvariable('min_active_days')
),
off_hours_activity as (
  select
    identity,
    account,
    min(event_time) as event_time,
    max(event_time) as last_time,
    arg_min(actor, event_time) as actor,
    arg_min(region, event_time) as region,
    mode(source_ip) as source_ip,
    mode(action) as action,
    count(*) as events,
    count(distinct action) as actions,
    max(hours_away) as hours_away,
    any_value(usual_hours) as usual_hours,
    any_value(active_days) as active_days,
    arg_min(event_id, event_time, 200) as evidence
  from judged_events
  where hours_away >= getvariable('min_hours_away')
  group by identity, account
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  null::varchar as resource,
  format('{} made {} calls ({} distinct actions, mostly {}) between {} and {} UTC, up to {} hours from its usual hours (UTC {}) over {} active baseline days',
    identity, events, actions, action, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), hours_away,
    coalesce(array_to_string(usual_hours, ','), 'none'), active_days) as summary,
  evidence,
  identity,
  events,
  hours_away
from off_hours_activity
where events >= getvariable('min_events')
order by event_time
