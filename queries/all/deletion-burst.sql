-- ---
-- id: all/deletion-burst
-- title: Burst of deletions far above the principal's own baseline
-- severity: high
-- sources: [aws, gcp, azure]
-- attack: [T1485, T1490, T1070]
-- controls:
--   nist_800_53_r5: ['SI-4', 'AU-6', 'CM-3']
--   soc2_2017: ['CC7.2']
-- method: baseline
-- keys: [identity, account]
-- description: >
--   A principal makes at least min_deletions successful delete calls in the window (AWS Delete*,
--   BatchDelete*, Remove*, Terminate*, Purge*; GCP and Kubernetes *.delete and Delete* methods; Azure
--   .../delete operations; Entra "Delete ..." and "Remove ..." activities), and that count (as a daily rate)
--   is at least min_z robust z-scores (median and MAD) above the principal's own daily deletions over the
--   baseline_days before window_start (idle days since its first appearance count as zero). Mass deletion of
--   backups, snapshots, buckets, instances or users is the impact stage of ransomware and sabotage. The
--   principal is the person behind a role session when the session is named after one, else the role
--   (rotating workload session names share one history), else the actor; it needs min_active_days active
--   baseline days. The baseline ends at the start of window_start's day, so the judged window never feeds
--   its own baseline. The z-score's scale is the MAD, floored at the square root of the median (counting
--   noise) and at 1, so a perfectly regular job does not turn a small rise into a spike.
-- remediation: >
--   Stop the principal (revoke sessions, disable keys) if the deletions are not a known clean-up; check
--   what was deleted (evidence) and restore from backups or versioning; check whether backups or
--   snapshots were among the deleted.
-- false_positives:
--   - Planned clean-ups and environment tear-downs (terraform destroy) by people or pipelines.
--   - Retention jobs whose schedule changed.
-- params:
--   baseline_days: 28
--   min_active_days: 5
--   min_deletions: 20
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
    and is_deletion(outcome, action)
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
-- The principal's daily deletions from the activity profile (docs/detection.md): the whole
-- UTC days before the window's first day, so the judged window never feeds its own baseline.
baseline_stats as (
  select
    *
  from daily_baseline(
    'deletions',
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
  format('{} deleted {} times ({} distinct actions, {} targets, mostly {}) between {} and {} UTC; its daily median is {} deletions over {} active baseline days (robust z {})', identity, hits, actions, targets, action, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), median_hits, active_days, round(robust_z, 1)) as summary,
  evidence,
  identity,
  hits,
  median_hits,
  round(robust_z, 2) as robust_z
from scored
where active_days >= getvariable('min_active_days')
  and hits >= getvariable('min_deletions')
  and robust_z >= getvariable('min_z')
order by event_time
