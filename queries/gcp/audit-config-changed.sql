-- ---
-- id: gcp/audit-config-changed
-- title: Audit logging configuration changed
-- severity: high
-- sources: [gcp]
-- attack: [T1562.008]
-- controls:
--   cis_gcp_v3.0.0: ['2.5']
--   nist_800_53_r5: ['AU-6', 'AU-12']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A SetIamPolicy changed the policy's audit configuration (auditConfigDeltas): Data Access logs turned
--   on or off for a service, or exempted members added. Turning Data Access logging off blinds every
--   detector that relies on it.
-- remediation: >
--   Review the delta: a REMOVE of a log type or an added exempted member narrows logging. Restore the
--   audit config if the change was not planned.
-- false_positives:
--   - Planned changes to Data Access logging to control cost.
-- params: {}
-- ---
with audit_config_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    json_transform(
      coalesce(raw->'$.protoPayload.serviceData.policyDelta.auditConfigDeltas', raw->'$.protoPayload.metadata.policyDelta.auditConfigDeltas'),
      '[{"action": "VARCHAR", "service": "VARCHAR", "logType": "VARCHAR", "exemptedMember": "VARCHAR"}]'
    ) as deltas
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and action ilike '%SetIamPolicy'
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
  format('{} changed audit logging of {}: {}', actor, resource,
    array_to_string([d.action || ' ' || coalesce(d.logType, '') || ' for ' || coalesce(d.service, '?') || coalesce(' exempting ' || d.exemptedMember, '') for d in deltas], '; ')) as summary,
  [event_id] as evidence,
  len([d for d in deltas if d.action = 'REMOVE' or d.exemptedMember is not null]) > 0 as narrows_logging
from audit_config_changes
where len(deltas) > 0
order by event_time
