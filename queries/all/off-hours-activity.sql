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
--   counted (someone else may be trying the account). The baseline ends at window_start, so the judged
--   window never feeds its own baseline. Only people are judged (named role sessions, IAM, Entra and
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
with identified_events as (
  select
    event_id,
    event_time,
    actor,
    actor_type,
    account,
    region,
    source_ip,
    action,
    case
      when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' and regexp_extract(actor, '[^/]+$') like '%@%'
        then lower(regexp_extract(actor, '[^/]+$'))
      when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' then actor_issuer
      when actor like '%@%' then lower(actor)
      else actor
    end as identity
  from events
  where event_time >= getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer)
    and event_time < getvariable('window_end')
    and actor is not null
    and not (outcome = 'failure' and (action = 'ConsoleLogin' or format = 'entra_signin'))
),
people_events as (
  select
    *
  from identified_events
  where actor_type is distinct from 'service'
    and (identity like '%@%' or actor_type in ('user', 'root'))
),
baseline_hours as (
  select
    identity,
    hour(event_time) as hour_of_day,
    count(distinct event_time::date) as days
  from people_events
  where event_time < getvariable('window_start')
  group by all
),
baseline_profiles as (
  select
    h.identity,
    list(h.hour_of_day order by h.hour_of_day) filter (where h.days >= getvariable('min_days_per_hour')) as usual_hours,
    any_value(a.active_days) as active_days
  from baseline_hours as h
  join (
    select
      identity,
      count(distinct event_time::date) as active_days
    from people_events
    where event_time < getvariable('window_start')
    group by identity
  ) as a
    on a.identity = h.identity
  group by h.identity
),
judged_events as (
  select
    e.*,
    p.usual_hours,
    p.active_days,
    coalesce(list_min([least(abs(hour(e.event_time) - u), 24 - abs(hour(e.event_time) - u)) for u in coalesce(p.usual_hours, [])]), 12) as hours_away
  from people_events as e
  join baseline_profiles as p
    on p.identity = e.identity
  where e.event_time >= getvariable('window_start')
    and p.active_days >= getvariable('min_active_days')
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
    list(event_id order by event_time)[1:200] as evidence
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
