-- ---
-- id: gcp/logging-sink-tampered
-- title: Log sink or log bucket deleted or disabled, or audit logging removed
-- severity: high
-- sources: [gcp]
-- attack: [T1562.008]
-- controls:
--   cis_gcp_v3.0.0: ['2.2', '2.5']
--   nist_800_53_r5: ['AU-9', 'AU-6']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A Cloud Logging sink was deleted, or updated to be disabled or to add exclusions; a log bucket or
--   exclusion was deleted or created; or a SetIamPolicy removed Data Access audit logging
--   (auditConfigDeltas REMOVE). Any of these stops logs reaching where investigators look.
-- remediation: >
--   Restore the sink or audit configuration and review the actor's activity around the change.
-- false_positives:
--   - Sink migrations (a new aggregated sink replacing project sinks).
-- params: {}
-- ---
with logging_events as (
  -- Two scans rather than one OR across columns: each filter is pushed into its scan (the window
  -- too), so raw is read for these rows only (docs/detector-format.md).
  select *
  from events
  where source = 'gcp'
    and service = 'logging.googleapis.com'
  union all
  select *
  from events
  where source = 'gcp'
    and service is distinct from 'logging.googleapis.com'
    and action ilike '%SetIamPolicy'
),
logging_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    case
      when action ilike '%DeleteSink' then 'deleted log sink'
      when action ilike '%UpdateSink' and coalesce(raw->>'$.protoPayload.request.sink.disabled', 'false') = 'true' then 'disabled log sink'
      when action ilike '%UpdateSink' and (raw->'$.protoPayload.request.sink.exclusions') is not null then 'added exclusions to log sink'
      when action ilike '%DeleteBucket' then 'deleted log bucket'
      when action ilike '%CreateExclusion' or action ilike '%UpdateExclusion' then 'excluded logs from ingestion'
      when action ilike '%SetIamPolicy'
        and list_contains(json_transform(raw->'$.protoPayload.serviceData.policyDelta.auditConfigDeltas', '[{"action": "VARCHAR"}]')::struct(action varchar)[], {'action': 'REMOVE'})
        then 'removed audit logging'
    end as tampering
  from logging_events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
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
  format('{} {}: {}', actor, tampering, resource) as summary,
  [event_id] as evidence,
  tampering
from logging_changes
where tampering is not null
order by event_time
