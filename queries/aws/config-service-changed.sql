-- ---
-- id: aws/config-service-changed
-- title: AWS Config recording changed
-- severity: high
-- sources: [aws]
-- attack: [T1562.008]
-- controls:
--   cis_aws_v4.0.0: ['4.9']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   The AWS Config recorder was stopped, deleted or reconfigured, or its delivery channel changed.
--   Config keeps the configuration history compliance and incident response depend on.
-- remediation: >
--   Restart the recorder and restore the delivery channel if the change was not planned; check what
--   changed in the account while recording was off.
-- false_positives:
--   - Config set up or migrated by Control Tower or an organization conformance pack.
-- params: {}
-- ---
with config_service_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.configurationRecorderName', raw->>'$.requestParameters.deliveryChannelName', raw->>'$.requestParameters.configurationRecorder.name', raw->>'$.requestParameters.deliveryChannel.name', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'config.amazonaws.com'
    and action in ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'PutConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel']
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
  format('{} changed AWS Config: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from config_service_changed_events
order by event_time
