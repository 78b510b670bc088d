-- ---
-- id: aws/s3-bucket-policy-changed
-- title: S3 bucket policy or ACL changed
-- severity: medium
-- sources: [aws]
-- attack: [T1530]
-- controls:
--   cis_aws_v4.0.0: ['4.8']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A bucket's policy, ACL, CORS, lifecycle or replication configuration was put or deleted: the
--   settings that decide who can read a bucket and where its data goes.
-- remediation: >
--   Review the new policy or ACL for public or cross-account principals; confirm replication targets are
--   accounts you own.
-- false_positives:
--   - Bucket provisioning by infrastructure-as-code.
--   - Lifecycle rules added by data retention jobs.
-- params: {}
-- ---
with s3_bucket_policy_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.bucketName', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action in ['PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle', 'PutBucketReplication', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication']
    and outcome = 'success'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} changed bucket access settings: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from s3_bucket_policy_changed_events
order by event_time
