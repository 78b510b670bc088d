-- ---
-- id: aws/snapshot-or-image-made-public
-- title: EBS snapshot, AMI or RDS snapshot shared publicly
-- severity: high
-- sources: [aws]
-- attack: [T1537, T1530]
-- controls:
--   nist_800_53_r5: ['AC-3', 'AC-21']
--   soc2_2017: ['CC6.1']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A successful call that lets every AWS account restore or launch a copy of your data:
--   ModifySnapshotAttribute adding createVolumePermission for group "all", ModifyImageAttribute adding
--   launchPermission for group "all", ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute adding
--   "all" to the restore attribute; and the account-level guards against that being switched off
--   (DisableSnapshotBlockPublicAccess, DisableImageBlockPublicAccess). A public snapshot is a full copy of a
--   disk or database that anyone can mount; it is a common exfiltration path that leaves no data-read trail.
-- remediation: >
--   Remove the public permission at once (remove group all / valuesToRemove all), re-enable block public
--   access for snapshots and AMIs, and treat the data as disclosed: rotate any credentials stored on the
--   volume or in the database.
-- false_positives:
--   - AMIs published on purpose (community images); keep them in a dedicated publishing account and suppress it.
-- params: {}
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
    and action in ['ModifySnapshotAttribute', 'ModifyImageAttribute', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute',
      'DisableSnapshotBlockPublicAccess', 'DisableImageBlockPublicAccess']
    and outcome = 'success'
),
public_shares as (
  select
    *,
    case action
      when 'ModifySnapshotAttribute' then request->>'$.snapshotId'
      when 'ModifyImageAttribute' then request->>'$.imageId'
      when 'ModifyDBSnapshotAttribute' then request->>'$.dBSnapshotIdentifier'
      when 'ModifyDBClusterSnapshotAttribute' then request->>'$.dBClusterSnapshotIdentifier'
      else account
    end as resource,
    case action
      when 'ModifySnapshotAttribute' then 'EBS snapshot'
      when 'ModifyImageAttribute' then 'AMI'
      when 'ModifyDBSnapshotAttribute' then 'RDS snapshot'
      when 'ModifyDBClusterSnapshotAttribute' then 'RDS cluster snapshot'
      when 'DisableSnapshotBlockPublicAccess' then 'EBS snapshot block public access'
      else 'AMI block public access'
    end as kind,
    case
      when action in ['ModifySnapshotAttribute', 'ModifyImageAttribute'] then
        regexp_matches(regexp_replace(coalesce(request->>'$.createVolumePermission.add', request->>'$.launchPermission.add', ''), '\s', '', 'g'),
          '"group":"all"', 'i')
      when action in ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'] then
        lower(request->>'$.attributeName') = 'restore'
        and regexp_matches(regexp_replace(coalesce(request->>'$.valuesToAdd', ''), '\s', '', 'g'), '"all"', 'i')
      else true
    end as is_public
  from sharing_calls
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  case
    when action like 'Disable%' then format('{} turned off {} in {} for account {}', actor, kind, region, account)
    else format('{} made {} {} public (any AWS account can copy it) in {}', actor, kind, resource, region)
  end as summary,
  [event_id] as evidence,
  kind
from public_shares
where is_public
order by event_time
