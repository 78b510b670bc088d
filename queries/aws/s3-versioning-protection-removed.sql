-- ---
-- id: aws/s3-versioning-protection-removed
-- title: S3 bucket versioning suspended or MFA delete turned off
-- severity: high
-- sources: [aws]
-- attack: [T1490, T1485]
-- controls:
--   soc2_2017: ['CC7.2']
--   iso27001_2022: ['A.8.16']
--   nist_800_53_r5: ['CM-3', 'SI-4']
-- method: match
-- keys: [resource, protection]
-- description: >
--   PutBucketVersioning that suspends (or disables) a bucket's versioning, or turns MFA delete off.
--   Versioning keeps every overwritten or deleted object recoverable, and MFA delete makes removing
--   those versions need the root user's MFA device, so turning either off is how S3 ransomware and
--   destructive attackers prepare a bucket before they delete or rewrite its objects. One finding per
--   bucket and protection; a request that changes nothing observable (versioning Enabled, MFA delete
--   not named) is not reported.
-- remediation: >
--   Re-enable versioning (and MFA delete, as the root user with MFA) at once, check for deletions
--   and overwrites since the change, and restrict s3:PutBucketVersioning to the accounts' administrators.
-- false_positives:
--   - "Buckets for disposable data (build caches, scratch) whose versioning is switched off on purpose: suppress by resource."
-- params: {}
-- ---
with changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw->>'$.requestParameters.bucketName' as bucket,
    raw->>'$.requestParameters.VersioningConfiguration.Status' as status,
    raw->>'$.requestParameters.VersioningConfiguration.MfaDelete' as mfa_delete
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action = 'PutBucketVersioning'
    and outcome = 'success'
),
removed as (
  select *, 'versioning ' || lower(status) as protection
  from changes
  where status in ['Suspended', 'Disabled']
  union all
  select *, 'MFA delete disabled' as protection
  from changes
  where mfa_delete = 'Disabled'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  bucket as resource,
  format('{} turned off protection of bucket {}: {}', actor, bucket, protection) as summary,
  [event_id] as evidence,
  protection
from removed
order by event_time
