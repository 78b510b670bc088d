-- ---
-- id: all/sensitive-read-burst
-- title: Burst of sensitive reads (secrets, keys, credentials, access policies) above the principal's baseline
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1555.006, T1552.005, T1087.004, T1619]
-- controls:
--   nist_800_53_r5: ['AC-6', 'SI-4', 'AU-6']
--   soc2_2017: ['CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   A principal makes at least min_reads successful reads of sensitive material in the window, at least
--   min_z robust z-scores (median and MAD) above its own daily counts over the baseline_days before
--   window_start (idle days since its first appearance count as zero). Sensitive reads: secret values
--   (Secrets Manager, SSM parameters with decryption, Secret Manager, Key Vault), secret and key listings,
--   KMS Decrypt called by a person directly, IAM credential reports, account authorization details and
--   access-key listings, bucket policies and ACLs, key policies, EC2 Windows password data, service account
--   keys, storage account keys and cluster admin credentials. The principal is the person behind a role
--   session when the session is named after one, else the role (rotating workload session names share one
--   history), else the actor; it needs min_active_days active baseline days. The baseline ends at the start
--   of window_start's day, so the judged window never feeds its own baseline. The z-score's scale is the
--   MAD, floored at the square root of the median (counting noise) and at 1, so a perfectly regular job does
--   not turn a small rise into a spike.
-- remediation: >
--   Check which secrets, keys and policies were read (evidence) and whether the principal's owner did it;
--   if not, revoke the session and rotate what was read.
-- false_positives:
--   - Audits and security reviews (credential reports, policy reviews) run by people who rarely do them.
--   - A workload rolled out with a cache disabled, reading its secret on every request.
-- params:
--   baseline_days: 28
--   min_active_days: 5
--   min_reads: 20
--   min_z: 6.0
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
    and is_sensitive_read(source, service, action, outcome, actor_type, identity_of(actor, actor_type, actor_issuer), source_ip, raw)
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
-- The principal's daily sensitive reads from the activity profile (docs/detection.md): the whole
-- UTC days before the window's first day, so the judged window never feeds its own baseline.
baseline_stats as (
  select
    *
  from daily_baseline(
    'sensitive_reads',
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
  format('{} made {} sensitive reads ({} distinct actions, {} targets, mostly {}) between {} and {} UTC; its daily median is {} over {} active baseline days (robust z {})', identity, hits, actions, targets, action, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), median_hits, active_days, round(robust_z, 1)) as summary,
  evidence,
  identity,
  hits,
  median_hits,
  round(robust_z, 2) as robust_z
from scored
where active_days >= getvariable('min_active_days')
  and hits >= getvariable('min_reads')
  and robust_z >= getvariable('min_z')
order by event_time
