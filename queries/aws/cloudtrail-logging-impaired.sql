-- ---
-- id: aws/cloudtrail-logging-impaired
-- title: CloudTrail logging stopped, deleted or narrowed
-- severity: critical
-- sources: [aws]
-- attack: [T1562.008]
-- controls:
--   cis_aws_v4.0.0: ['4.5']
--   nist_800_53_r5: ['AU-9', 'AU-6']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   StopLogging or DeleteTrail, or PutEventSelectors that narrows what a trail records: management
--   events excluded, or only read-only or write-only events kept. Attackers do this first so that what
--   follows is not recorded.
-- remediation: >
--   Restart logging or restore the selectors at once, then investigate the actor's other actions (from
--   other trails or CloudTrail event history).
-- false_positives:
--   - Planned trail consolidation (an organization trail replacing per-account trails).
-- params: {}
-- ---
with trail_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.name', raw->>'$.requestParameters.trailName') as resource,
    json_transform(raw->'$.requestParameters.eventSelectors', '[{"readWriteType": "VARCHAR", "includeManagementEvents": "BOOLEAN"}]') as event_selectors,
    json_transform(raw->'$.requestParameters.advancedEventSelectors', '[{"fieldSelectors": [{"field": "VARCHAR", "equals": ["VARCHAR"]}]}]') as advanced_selectors
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'cloudtrail.amazonaws.com'
    and action in ['StopLogging', 'DeleteTrail', 'PutEventSelectors']
    and outcome = 'success'
),
impairing_changes as (
  select
    *,
    case
      when action = 'StopLogging' then 'stopped logging'
      when action = 'DeleteTrail' then 'deleted the trail'
      else 'narrowed event selectors'
    end as impairment
  from trail_changes
  where action in ['StopLogging', 'DeleteTrail']
    or len([s for s in coalesce(event_selectors, []) if s.includeManagementEvents = false or s.readWriteType in ['ReadOnly', 'WriteOnly']]) > 0
    or (len(coalesce(advanced_selectors, [])) > 0
      and len([s for s in advanced_selectors if list_contains([f.field for f in s.fieldSelectors], 'eventCategory') and list_contains(flatten([f.equals for f in s.fieldSelectors]), 'Management')]) = 0)
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} {} of CloudTrail trail {}', actor, impairment, resource) as summary,
  [event_id] as evidence
from impairing_changes
order by event_time
