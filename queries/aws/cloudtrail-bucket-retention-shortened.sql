-- ---
-- id: aws/cloudtrail-bucket-retention-shortened
-- title: Lifecycle rule deletes CloudTrail logs early
-- severity: high
-- sources: [aws]
-- attack: [T1562.008, T1070]
-- controls:
--   pci_dss_v4.0: ['10.5.1']
--   iso27001_2022: ['A.8.15']
--   nist_800_53_r5: ['AU-11', 'AU-9']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A successful PutBucketLifecycle on a bucket that holds CloudTrail logs, with an enabled rule that
--   expires objects (or their noncurrent versions) after fewer than min_retention_days days, or on a
--   date closer than that. The trail's logs then disappear on their own: an attacker sets a one-day rule
--   so the evidence of what they do next is gone before anyone looks, and a short rule set by mistake
--   breaks a 12-month retention requirement just the same. A bucket holds CloudTrail logs when it is in
--   trail_buckets, when its name matches trail_bucket_pattern, when this store reads trail files from it
--   (events of the window ingested from s3://bucket/ by the S3 connector), or when a trail was pointed
--   at it (CreateTrail or UpdateTrail with S3BucketName) in the window. Stores fed from exported files
--   should name their trail buckets in trail_buckets unless the names say cloudtrail.
-- remediation: >
--   Restore the bucket's previous lifecycle configuration (or delete the rule) at once, check that
--   object versioning and Object Lock protect the logs, and find out who made the change and why.
-- false_positives:
--   - Trail buckets that only stage logs for a SIEM that keeps them (raise min_retention_days to 0 for
--     them with a suppression, or name only the archive buckets in trail_buckets and narrow the pattern).
-- params:
--   min_retention_days: 365
--   trail_buckets: []
--   trail_bucket_pattern: '(?i)cloudtrail'
-- ---
with lifecycle_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.bucketName', resources[1]) as bucket,
    raw->'$.requestParameters.LifecycleConfiguration.Rule' as rule_json
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action in ['PutBucketLifecycle', 'PutBucketLifecycleConfiguration']
    and outcome = 'success'
),
rules as (
  select
    * exclude (rule_json),
    unnest(case
      when json_type(rule_json) = 'ARRAY' then json_extract(rule_json, '$[*]')
      else [rule_json]
    end) as rule
  from lifecycle_calls
),
short_rules as (
  select
    *,
    coalesce(rule->>'$.ID', '(unnamed rule)') as rule_id,
    coalesce(rule->>'$.Filter.Prefix', rule->>'$.Prefix', '') as prefix,
    least(
      try_cast(rule->>'$.Expiration.Days' as integer),
      try_cast(rule->>'$.NoncurrentVersionExpiration.NoncurrentDays' as integer),
      date_diff('day', event_time, try_cast(rule->>'$.Expiration.Date' as timestamptz))
    ) as expires_after_days
  from rules
  where lower(coalesce(rule->>'$.Status', '')) = 'enabled'
),
-- Buckets named by the params, by a trail created or updated in the window, or as the origin of
-- the window's trail files (the S3 connector reads them from s3://bucket/).
trail_buckets as (
  select unnest(getvariable('trail_buckets')::varchar[]) as bucket
  union
  select raw->>'$.requestParameters.s3BucketName' as bucket
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'cloudtrail.amazonaws.com'
    and action in ['CreateTrail', 'UpdateTrail']
    and outcome = 'success'
  union
  select regexp_extract(origin, '^s3://([^/]+)/', 1) as bucket
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and origin like 's3://%'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  bucket as resource,
  format('{} set lifecycle rule {} on CloudTrail bucket {}{}: its logs are deleted after {} days (fewer than {})', actor, rule_id, bucket,
    case when prefix <> '' then format(' for prefix {}', prefix) else '' end,
    expires_after_days, getvariable('min_retention_days')) as summary,
  [event_id] as evidence,
  rule_id,
  expires_after_days
from short_rules
where expires_after_days < getvariable('min_retention_days')
  and (regexp_matches(coalesce(bucket, ''), getvariable('trail_bucket_pattern'))
    or bucket in (select bucket from trail_buckets where bucket is not null))
order by event_time
