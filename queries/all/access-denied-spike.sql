-- ---
-- id: all/access-denied-spike
-- title: Access-denied errors far above the principal's own baseline (enumeration)
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1580, T1526, T1087.004, T1069.003]
-- controls:
--   cis_aws_v4.0.0: ['4.1']
--   nist_800_53_r5: ['AC-6(9)', 'SI-4', 'AU-6']
--   soc2_2017: ['CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   A principal collects at least min_denied authorization failures (AccessDenied, UnauthorizedOperation,
--   PERMISSION_DENIED, AuthorizationFailed, Forbidden ...) over at least min_distinct_actions different
--   actions in the window, and that count (as a daily rate) is at least min_z robust z-scores (median and
--   MAD) above the principal's own daily counts over the baseline_days before window_start (idle days since
--   its first appearance count as zero). Many different denied calls is how stolen credentials are probed
--   for what they may do. Failed sign-ins are left to the brute-force detectors. The principal is the person
--   behind a role session when the session is named after one, else the role (so rotating workload session
--   names share one history), else the actor; it needs min_active_days active baseline days to be judged.
--   The baseline ends at the start of window_start's day, so the judged window never feeds its own baseline.
--   The z-score's scale is the MAD, floored at the square root of the median (counting noise) and at 1, so a
--   perfectly regular job does not turn a small rise into a spike.
-- remediation: >
--   Look at the denied actions: broad List/Describe/Get across services is discovery with credentials
--   that are not the owner's. Confirm with the owner, then revoke the session or keys.
-- false_positives:
--   - "A deployment run with a role that lost a permission (usually one or two actions: min_distinct_actions filters most)."
--   - Security scanners and inventory tools newly pointed at an account.
-- params:
--   baseline_days: 28
--   min_active_days: 5
--   min_denied: 20
--   min_distinct_actions: 5
--   min_z: 5.0
-- ---
with judged_events as (
  select
    event_id,
    event_time,
    source,
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
    -- implied by is_access_denied; a filter DuckDB pushes into the scan, so only failures are read
    and outcome = 'failure'
    and is_access_denied(outcome, action, error_code)
),
judged_counts as (
  select
    source,
    identity,
    min(event_time) as event_time,
    max(event_time) as last_time,
    arg_min(actor, event_time) as actor,
    arg_min(account, event_time) as account,
    arg_min(region, event_time) as region,
    mode(source_ip) as source_ip,
    mode(action) as action,
    mode(coalesce(resources[1], '')) as resource,
    count(*) as hits,
    count(distinct action) as actions,
    count(distinct coalesce(resources[1], action)) as targets,
    arg_min(event_id, event_time, 200) as evidence
  from judged_events
  group by source, identity
),
-- The principal's daily denied from the activity profile (docs/detection.md): the whole
-- UTC days before the window's first day, so the judged window never feeds its own baseline.
baseline_stats as (
  select
    *
  from daily_baseline(
    'denied',
    (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date,
    getvariable('window_start')::timestamptz::date - 1,
    -- only the principals being judged: their baseline, not every principal's
    identities := (select list(distinct identity) from judged_counts)
  )
),
scored as (
  select
    j.*,
    j.hits / greatest(epoch(getvariable('window_end')::timestamptz - getvariable('window_start')::timestamptz) / 86400.0, 1.0) as daily_rate,
    b.median_hits,
    b.max_hits,
    b.mad_hits,
    b.active_days,
    0.6745 * (daily_rate - b.median_hits) / greatest(b.mad_hits, sqrt(b.median_hits), 1) as robust_z
  from judged_counts as j
  join baseline_stats as b
    on b.source = j.source
    and b.identity = j.identity
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  nullif(resource, '') as resource,
  format('{} was denied {} times on {} distinct actions (mostly {}) between {} and {} UTC; its daily median is {} denials over {} active baseline days (robust z {})', identity, hits, actions, action, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), median_hits, active_days, round(robust_z, 1)) as summary,
  evidence,
  identity,
  hits,
  median_hits,
  round(robust_z, 2) as robust_z
from scored
where active_days >= getvariable('min_active_days')
  and hits >= getvariable('min_denied')
  and robust_z >= getvariable('min_z')
  and actions >= getvariable('min_distinct_actions')
order by event_time
