-- ---
-- id: gcp/storage-iam-changed
-- title: Cloud Storage bucket IAM changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1530]
-- controls:
--   cis_gcp_v3.0.0: ['2.10']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A bucket's IAM policy was changed. Granting allUsers or allAuthenticatedUsers here makes a bucket
--   public (the public bucket detector reports that case).
-- remediation: >
--   Review the new members of the bucket policy.
-- false_positives:
--   - Bucket provisioning by infrastructure-as-code.
-- params: {}
-- ---
with storage_iam_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'storage.googleapis.com'
    and action = 'storage.setIamPermissions'
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
  format('{} changed bucket IAM: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from storage_iam_changed_events
order by event_time
