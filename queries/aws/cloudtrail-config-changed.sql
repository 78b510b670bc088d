-- ---
-- id: aws/cloudtrail-config-changed
-- title: CloudTrail configuration changed
-- severity: high
-- sources: [aws]
-- attack: [T1562.008]
-- controls:
--   cis_aws_v4.0.0: ['4.5']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A trail was created, updated, deleted, started or stopped, or its event or Insight selectors
--   replaced. Changing what CloudTrail records changes what every other detector can see.
-- remediation: >
--   Confirm the change was planned. If logging was stopped or narrowed, restart it, and review what the
--   actor did before and after.
-- false_positives:
--   - Landing-zone tooling (Control Tower, org trail pipelines) updating trails during enrolment.
-- params: {}
-- ---
with cloudtrail_config_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.name', raw->>'$.requestParameters.trailName', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'cloudtrail.amazonaws.com'
    and action in ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors', 'PutInsightSelectors']
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
  format('{} changed CloudTrail: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from cloudtrail_config_changed_events
order by event_time
