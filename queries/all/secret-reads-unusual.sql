-- ---
-- id: all/secret-reads-unusual
-- title: Burst of secret reads outside the principal's usual hours or by a first-time reader
-- severity: high
-- sources: [aws, gcp, azure]
-- attack: [T1555.006, T1552.005, T1078.004]
-- controls:
--   nist_800_53_r5: ['AC-6', 'SI-4', 'AU-6']
--   soc2_2017: ['CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   An established principal reads at least min_reads secrets within burst_minutes, either at hours of the
--   day that are at least min_hours_away from its usual hours, or without having read any secret in the
--   baseline. Secret reads: Secrets Manager GetSecretValue and BatchGetSecretValue; SSM GetParameter(s) and
--   GetParametersByPath with withDecryption; KMS Decrypt called directly by a person (not by an AWS
--   service on its behalf, not by a role session of a workload); Secret Manager AccessSecretVersion;
--   Key Vault secret reads (SecretGet, vaults/secrets/read, getSecret/action). The principal is the
--   person behind a role session when the session is named after one (Identity Center, SAML), else the
--   role (so rotating workload session names share one history), else the actor. Its usual hours are the
--   hours of the day (UTC) in which it was active, in any cloud, on at least min_days_per_hour of the
--   baseline_days before window_start; it needs min_active_days active days there to be judged. The
--   baseline ends at the start of window_start's day (whole UTC days, from the activity profile), so the
--   judged window never feeds its own baseline.
-- remediation: >
--   Ask the person whether they read these secrets; if not, revoke the session and the credentials that
--   signed in, and rotate every secret in the evidence. Check where the reads came from (source_ip,
--   user agent) and what the principal did next.
-- false_positives:
--   - On-call engineers handling an incident at night (check the on-call rota).
--   - "A new deployment or job that starts reading secrets under an established role: the first-reader arm fires once."
--   - Travellers working from another time zone.
-- params:
--   baseline_days: 28
--   min_active_days: 5
--   min_reads: 10
--   burst_minutes: 60
--   min_days_per_hour: 2
--   min_hours_away: 2
-- ---
with secret_reads as (
  select
    event_id,
    event_time,
    action,
    actor,
    account,
    region,
    source_ip,
    resources,
    identity_of(actor, actor_type, actor_issuer) as identity
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
    and is_secret_read(source, service, action, outcome, actor_type, identity_of(actor, actor_type, actor_issuer), source_ip, raw)
),
-- Usual hours from the activity profile (docs/detection.md): an hour of the day (UTC) is usual when
-- the principal was active in it on at least min_days_per_hour of the whole UTC days before the
-- window's first day, so the judged window never feeds its own baseline.
baseline_days as (
  select
    a.identity,
    a.day,
    list_distinct(flatten(list(a.hours))) as hours,
    sum(a.secret_reads) as secret_reads
  from activity_days as a
  semi join secret_reads as j
    on j.identity = a.identity
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
    and a.active_events > 0
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
    any_value(h.usual_hours) as usual_hours,
    sum(d.secret_reads) as prior_reads
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
judged_reads as (
  select
    r.*,
    p.usual_hours,
    p.prior_reads,
    p.hours_away_by_hour[hour(r.event_time) + 1] as hours_away
  from secret_reads as r
  join baseline_profiles as p
    on p.identity = r.identity
  where p.active_days >= getvariable('min_active_days')
),
unusual_reads as (
  select
    *,
    hours_away >= getvariable('min_hours_away') as off_hours,
    prior_reads = 0 as first_reader
  from judged_reads
  where hours_away >= getvariable('min_hours_away')
    or prior_reads = 0
),
burst_counts as (
  select
    *,
    count(*) over (
      partition by identity, account
      order by event_time
      range between current row and to_minutes(getvariable('burst_minutes')::integer) following
    ) as reads_in_burst
  from unusual_reads
),
-- A read belongs to a burst when the latest burst that started at or before it has not ended yet: a
-- running max, linear in the reads (joining each read to every burst around it grew with their
-- square: 32,000 reads by a new application took 3.7 s).
burst_reads as (
  select
    * exclude (reads_in_burst, burst_start)
  from (
    select
      *,
      max(event_time) filter (where reads_in_burst >= getvariable('min_reads')) over (
        partition by identity, account
        order by event_time
        range between unbounded preceding and current row
      ) as burst_start
    from burst_counts
  )
  where burst_start >= event_time - to_minutes(getvariable('burst_minutes')::integer)
),
bursts as (
  select
    identity,
    account,
    min(event_time) as event_time,
    max(event_time) as last_time,
    arg_min(actor, event_time) as actor,
    arg_min(region, event_time) as region,
    mode(source_ip) as source_ip,
    mode(action) as action,
    count(*) as reads,
    count(distinct coalesce(resources[-1], resources[1])) as secrets,
    mode(coalesce(resources[-1], resources[1])) as resource,
    bool_or(off_hours) as off_hours,
    bool_or(first_reader) as first_reader,
    any_value(usual_hours) as usual_hours,
    arg_min(event_id, event_time, 200) as evidence
  from burst_reads
  group by identity, account
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} read secrets {} times ({} distinct) between {} and {} UTC{}{}', identity, reads, secrets,
    strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'),
    case when off_hours then ', outside its usual hours (UTC ' || coalesce(array_to_string(usual_hours, ','), 'none') || ')' else '' end,
    case when first_reader then ', with no secret read in the previous ' || getvariable('baseline_days') || ' days' else '' end) as summary,
  evidence,
  identity,
  reads,
  off_hours,
  first_reader
from bursts
order by event_time
