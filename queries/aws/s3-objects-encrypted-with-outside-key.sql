-- ---
-- id: aws/s3-objects-encrypted-with-outside-key
-- title: S3 objects written with a key the bucket's owner does not hold (ransomware)
-- severity: high
-- sources: [aws]
-- attack: [T1486, T1485]
-- controls:
--   soc2_2017: ['CC7.2', 'CC6.1']
--   iso27001_2022: ['A.8.16']
--   nist_800_53_r5: ['SI-4', 'AC-3']
-- method: threshold
-- keys: [actor, account, resource, key_kind]
-- description: >
--   Objects written (PutObject, CopyObject, CreateMultipartUpload) with server-side encryption under a
--   customer-provided key (SSE-C: AWS keeps no copy, so only whoever sent the key can read the object
--   again) or under a KMS key of another AWS account. Rewriting a bucket's objects in place this way
--   is how S3 ransomware locks data without downloading it (the Codefinger campaign used SSE-C; the
--   Stratus technique s3-ransomware-client-side-encryption). Counted per principal, bucket and kind of
--   key over the window; at least min_objects objects (1: any). A KMS key counts as outside when its
--   ARN names an account that is neither the bucket's nor one of trusted_accounts (a key id or alias
--   without an account is the caller's own). Needs S3 data events in the trail.
-- remediation: >
--   Stop the principal (revoke its sessions, deny s3:PutObject), restore the objects from earlier
--   versions or backups (versioning keeps the originals unless they were deleted), and deny SSE-C on
--   the buckets with a bucket policy condition on s3:x-amz-server-side-encryption-customer-algorithm.
-- false_positives:
--   - "Applications that use SSE-C by design (the key kept in their own vault): suppress them by actor and bucket."
--   - "A central key account of your organisation: list it in trusted_accounts."
-- params:
--   min_objects: 1
--   trusted_accounts: []
-- ---
with writes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw,
    raw->>'$.requestParameters."x-amz-server-side-encryption-customer-algorithm"' as customer_algorithm,
    regexp_extract(raw->>'$.requestParameters."x-amz-server-side-encryption-aws-kms-key-id"',
      '^arn:aws[a-z-]*:kms:[^:]*:(\d{12}):', 1) as kms_key_account
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action in ['PutObject', 'CopyObject', 'CreateMultipartUpload']
    and outcome = 'success'
),
-- The bucket and object are read from raw only for the writes that qualify: a day of data events
-- holds many ordinary uploads.
locked as (
  select
    * exclude (raw),
    raw->>'$.requestParameters.bucketName' as bucket,
    raw->>'$.requestParameters.key' as object_key,
    case
      when customer_algorithm is not null then 'customer-provided key (SSE-C)'
      else 'KMS key of account ' || kms_key_account
    end as key_kind
  from writes
  where customer_algorithm is not null
    or (kms_key_account not in ['', account]
      and not list_contains(getvariable('trusted_accounts')::varchar[], kms_key_account))
),
per_bucket as (
  select
    actor,
    account,
    bucket,
    key_kind,
    min(event_time) as event_time,
    max(event_time) as last_time,
    count(distinct coalesce(object_key, event_id)) as objects,
    arg_min(region, event_time) as region,
    arg_min(source_ip, event_time) as source_ip,
    list(distinct action order by action) as actions,
    arg_min(object_key, event_time, 5) as first_objects,
    arg_min(event_id, event_time, 200) as evidence
  from locked
  group by actor, account, bucket, key_kind
  having count(distinct coalesce(object_key, event_id)) >= getvariable('min_objects')
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  array_to_string(actions, ', ') as action,
  bucket as resource,
  format('{} wrote {} object(s) of bucket {} encrypted with a {} between {} and {} UTC ({}): {}', actor, objects, bucket,
    key_kind, strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'), array_to_string(actions, ', '),
    array_to_string(first_objects, ', ')) as summary,
  evidence,
  key_kind,
  objects
from per_bucket
order by event_time
