-- ---
-- id: aws/snapshot-or-image-shared-outside
-- title: EBS snapshot, AMI or RDS snapshot shared with another AWS account
-- severity: medium
-- sources: [aws]
-- attack: [T1537]
-- controls:
--   nist_800_53_r5: ['AC-3', 'AC-21']
--   soc2_2017: ['CC6.1']
-- method: match
-- keys: [actor, account, resource, shared_with]
-- description: >
--   A successful call that lets one named AWS account restore or launch a copy of your data:
--   ModifySnapshotAttribute adding createVolumePermission for a userId, ModifyImageAttribute adding
--   launchPermission for a userId, ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute adding an
--   account id to the restore attribute. Reported per receiving account, unless it is the account the
--   snapshot lives in or one of trusted_accounts. Attackers share a disk or database snapshot with an
--   account they control and copy it there: nothing is read in your account, so no data event shows it.
--   Sharing with every account is aws/snapshot-or-image-made-public; sharing with an organization or
--   organizational unit (by ARN) is not reported.
-- remediation: >
--   Remove the permission (createVolumePermission / launchPermission remove, valuesToRemove), find out
--   whom the account belongs to, and if unknown treat the data as disclosed: rotate credentials stored on
--   the volume or in the database.
-- false_positives:
--   - "Sharing between your own accounts (backup, deployment pipelines, golden AMIs): list them in trusted_accounts."
--   - Vendor accounts that receive images or snapshots by contract; add them to trusted_accounts too.
-- params:
--   trusted_accounts: []
-- ---
with sharing_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->'$.requestParameters', '{}'::json) as request
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and action in ['ModifySnapshotAttribute', 'ModifyImageAttribute', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute']
    and outcome = 'success'
),
grants as (
  select
    *,
    case action
      when 'ModifySnapshotAttribute' then request->>'$.snapshotId'
      when 'ModifyImageAttribute' then request->>'$.imageId'
      when 'ModifyDBSnapshotAttribute' then request->>'$.dBSnapshotIdentifier'
      else request->>'$.dBClusterSnapshotIdentifier'
    end as resource,
    case action
      when 'ModifySnapshotAttribute' then 'EBS snapshot'
      when 'ModifyImageAttribute' then 'AMI'
      when 'ModifyDBSnapshotAttribute' then 'RDS snapshot'
      else 'RDS cluster snapshot'
    end as kind,
    case
      when action in ['ModifySnapshotAttribute', 'ModifyImageAttribute'] then
        [i.userId for i in coalesce(json_transform(
          coalesce(request->'$.createVolumePermission.add.items', request->'$.launchPermission.add.items'),
          '[{"userId": "VARCHAR"}]'), []) if i.userId is not null]
      when lower(request->>'$.attributeName') = 'restore' then
        coalesce(json_transform(request->'$.valuesToAdd', '["VARCHAR"]'), [])
      else []
    end as added
  from sharing_calls
),
shares as (
  select
    * exclude (added),
    trim(unnest(added)) as shared_with
  from grants
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} shared {} {} with AWS account {} (it can copy it) in {}', actor, kind, coalesce(resource, 'an unnamed resource'), shared_with, region) as summary,
  [event_id] as evidence,
  kind,
  shared_with
from shares
-- A real grant names a 12-digit account id ("all" is public: the other detector).
where regexp_full_match(shared_with, '[0-9]{12}')
  and shared_with is distinct from account
  and not list_contains(getvariable('trusted_accounts')::varchar[], shared_with)
order by event_time
