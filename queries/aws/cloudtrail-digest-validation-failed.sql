-- ---
-- id: aws/cloudtrail-digest-validation-failed
-- title: CloudTrail log file validation failed
-- severity: high
-- sources: [aws]
-- attack: [T1070, T1565.001]
-- controls:
--   cis_aws_v4.0.0: ['3.2']
--   pci_dss_v4.0: ['10.3.2', '10.3.4']
--   nist_800_53_r5: ['AU-9']
--   iso27001_2022: ['A.8.15']
-- method: match
-- keys: [account, region, resource, action]
-- description: >
--   CloudTrail's own integrity evidence does not hold for an hour of a trail: a signed digest file
--   whose RSA signature does not verify (bad_signature), a digest changed after the next one recorded
--   its hash (chain_broken), a digest referenced by its successor but gone (missing), or a log file
--   whose content no longer has the hash its digest records, or that is gone (log_hash_mismatch,
--   log_file_missing). auditlake checks the digests as it ingests them (table cloudtrail_digests,
--   docs/integrity.md). Digests it could not check for lack of a public key or signature
--   (unverifiable) are not findings.
-- remediation: >
--   Treat the trail's logs of that hour as possibly altered: compare them with another copy (an
--   organization trail, CloudTrail Lake, event history for management events), find who can write
--   the bucket (its policy, recent s3:PutObject and s3:DeleteObject calls on it) and protect it with
--   S3 Object Lock. Run `aws cloudtrail validate-logs` for an independent second opinion.
-- false_positives:
--   - Log or digest files edited, recompressed or renamed by a copy or export tool before ingest (verify against the bucket).
--   - A partial copy of a trail that lacks a digest or log file the tree around it holds.
-- params: {}
-- ---
with failed_digests as (
  select
    d.digest_end,
    d.account,
    d.region,
    d.trail,
    d.digest_key,
    d.status,
    d.detail
  from cloudtrail_digests d
  where d.digest_end >= getvariable('window_start')
    and d.digest_end < getvariable('window_end')
    and d.status in ['bad_signature', 'chain_broken', 'log_hash_mismatch', 'log_file_missing', 'missing']
),
altered_log_files as (
  select
    l.digest_key,
    l.log_key
  from cloudtrail_digest_log_files l
  join failed_digests f
    on f.digest_key = l.digest_key
  where l.status = 'hash_mismatch'
),
evidence_events as (
  select
    a.digest_key,
    list(distinct e.event_id order by e.event_id) as event_ids
  from altered_log_files a
  join events e
    on e.source = 'aws'
    and ends_with(e.origin, a.log_key)
  where e.event_time >= getvariable('window_start') - interval 2 day
    and e.event_time < getvariable('window_end')
  group by a.digest_key
)
select
  f.digest_end as event_time,
  null::varchar as actor,
  f.account,
  f.region,
  null::varchar as source_ip,
  'cloudtrail-digest:' || f.status as action,
  f.digest_key as resource,
  format('CloudTrail digest of trail {} ({} {}, hour ending {}) {}: {}', f.trail, f.account, f.region,
    strftime(f.digest_end, '%Y-%m-%d %H:%M UTC'), replace(f.status, '_', ' '), f.detail) as summary,
  coalesce(v.event_ids, []::varchar[]) as evidence,
  f.status as digest_status,
  f.trail
from failed_digests f
left join evidence_events v
  on v.digest_key = f.digest_key
order by f.digest_end, f.digest_key
