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
--   baseline ends at window_start, so the judged window never feeds its own baseline.
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
with identified_events as (
  select
    event_id,
    event_time,
    source,
    service,
    action,
    actor,
    actor_type,
    account,
    region,
    source_ip,
    outcome,
    resources,
    raw,
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
),
secret_reads as (
  select
    *
  from identified_events
  where outcome = 'success'
    and ((source = 'aws' and service = 'secretsmanager.amazonaws.com' and action in ('GetSecretValue', 'BatchGetSecretValue'))
      or (source = 'aws' and service = 'ssm.amazonaws.com' and action in ('GetParameter', 'GetParameters', 'GetParametersByPath')
        and lower(raw->>'$.requestParameters.withDecryption') = 'true')
      or (source = 'aws' and service = 'kms.amazonaws.com' and action = 'Decrypt'
        and source_ip not like '%.amazonaws.com'
        and (identity like '%@%' or actor_type in ('user', 'root', 'federated')))
      or (source = 'gcp' and action like '%SecretManagerService.AccessSecretVersion')
      or (source = 'azure' and lower(action) in ('secretget', 'microsoft.keyvault/vaults/secrets/read',
        'microsoft.keyvault/vaults/secrets/getsecret/action')))
),
baseline_hours as (
  select
    identity,
    hour(event_time) as hour_of_day,
    count(distinct event_time::date) as days
  from identified_events
  where event_time < getvariable('window_start')
  group by all
),
baseline_profiles as (
  select
    h.identity,
    list(h.hour_of_day order by h.hour_of_day) filter (where h.days >= getvariable('min_days_per_hour')) as usual_hours,
    any_value(a.active_days) as active_days,
    any_value(a.prior_reads) as prior_reads
  from baseline_hours as h
  join (
    select
      identity,
      count(distinct event_time::date) as active_days,
      count(*) filter (where event_id in (select event_id from secret_reads where event_time < getvariable('window_start'))) as prior_reads
    from identified_events
    where event_time < getvariable('window_start')
    group by identity
  ) as a
    on a.identity = h.identity
  group by h.identity
),
judged_reads as (
  select
    r.*,
    p.usual_hours,
    p.prior_reads,
    coalesce(list_min([least(abs(hour(r.event_time) - u), 24 - abs(hour(r.event_time) - u)) for u in coalesce(p.usual_hours, [])]), 12) as hours_away
  from secret_reads as r
  join baseline_profiles as p
    on p.identity = r.identity
  where r.event_time >= getvariable('window_start')
    and p.active_days >= getvariable('min_active_days')
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
burst_reads as (
  select distinct
    r.*
  from unusual_reads as r
  join burst_counts as s
    on s.identity = r.identity
    and s.account = r.account
    and s.reads_in_burst >= getvariable('min_reads')
    and r.event_time >= s.event_time
    and r.event_time <= s.event_time + to_minutes(getvariable('burst_minutes')::integer)
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
    list(event_id order by event_time)[1:200] as evidence
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
