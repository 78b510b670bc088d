-- ---
-- id: gcp/bucket-made-public
-- title: Cloud Storage bucket made public
-- severity: high
-- sources: [gcp]
-- attack: [T1530, T1567.002]
-- controls:
--   cis_gcp_v3.0.0: ['5.1', '2.10']
--   nist_800_53_r5: ['AC-3', 'AC-21']
-- method: match
-- keys: [account, resource]
-- description: >
--   A bucket IAM change added allUsers or allAuthenticatedUsers: anyone on the internet (or any Google
--   account) can then read, or write, the bucket.
-- remediation: >
--   Remove the public member unless the bucket serves public content by design; enable public access
--   prevention.
-- false_positives:
--   - Buckets that host public static websites or downloads.
-- params: {}
-- ---
with bucket_iam_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    unnest(json_transform(
        coalesce(raw->'$.protoPayload.serviceData.policyDelta.bindingDeltas', raw->'$.protoPayload.metadata.datasetChange.bindingDeltas'),
        '[{"action": "VARCHAR", "role": "VARCHAR", "member": "VARCHAR"}]'
      )) as delta
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
  format('{} granted {} to {} on {}', actor, delta.role, delta.member, resource) as summary,
  [event_id] as evidence,
  delta.role as role
from bucket_iam_changes
where delta.action = 'ADD'
  and delta.member in ['allUsers', 'allAuthenticatedUsers']
order by event_time
