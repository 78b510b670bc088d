-- ---
-- id: logging-changes
-- title: Changes to logging and audit configuration
-- sources: [aws, gcp, azure]
-- description: >
--   Every call that creates, changes, pauses or deletes audit logging, failed attempts included:
--   CloudTrail trails and selectors, CloudWatch Logs groups, retention and subscriptions, AWS Config
--   recorders and channels, S3 access logging and VPC flow logs; Cloud Logging sinks, exclusions,
--   buckets and settings and IAM audit config changes in Google Cloud; Azure diagnostic settings,
--   log profiles and Log Analytics workspaces.
-- params:
--   principal:
--     type: string
--     description: an actor or a pattern (% and _ are wildcards); every principal by default
--     default: '%'
-- examples:
--   - auditlake hunt logging-changes --since 2026-11-01
-- ---
select
  event_time,
  source,
  account,
  actor,
  action,
  outcome,
  error_code,
  resources,
  source_ip,
  event_id
from events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and coalesce(actor, '') ilike getvariable('principal')
  and (
    (source = 'aws' and action in [
      'CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StopLogging', 'StartLogging', 'PutEventSelectors',
      'PutInsightSelectors', 'CreateEventDataStore', 'UpdateEventDataStore', 'DeleteEventDataStore',
      'StopEventDataStoreIngestion', 'DeleteLogGroup', 'DeleteLogStream', 'PutRetentionPolicy',
      'DeleteRetentionPolicy', 'PutSubscriptionFilter', 'DeleteSubscriptionFilter', 'AssociateKmsKey',
      'DisassociateKmsKey', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder',
      'PutConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutBucketLogging',
      'DeleteFlowLogs', 'CreateFlowLogs'
    ])
    or (source = 'gcp' and (
      (service = 'logging.googleapis.com' and regexp_matches(action,
        '\.(Create|Update|Delete|Undelete)(Sink|Exclusion|Bucket|View|Link|CmekSettings|Settings)$'))
      or (action ilike '%SetIamPolicy'
        and json_array_length(raw -> '$.protoPayload.serviceData.policyDelta.auditConfigDeltas') > 0)
    ))
    or (source = 'azure' and lower(action) not like '%/read' and (
      lower(action) like 'microsoft.insights/diagnosticsettings/%'
      or lower(action) like 'microsoft.insights/logprofiles/%'
      or lower(action) like 'microsoft.aadiam/diagnosticsettings/%'
      or lower(action) in ['microsoft.operationalinsights/workspaces/delete', 'microsoft.operationalinsights/workspaces/write']
    ))
  )
order by event_time, event_id
