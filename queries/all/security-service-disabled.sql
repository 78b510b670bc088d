-- ---
-- id: all/security-service-disabled
-- title: Threat detection service disabled
-- severity: critical
-- sources: [aws, gcp, azure]
-- attack: [T1562.001]
-- controls:
--   nist_800_53_r5: ['SI-4', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   GuardDuty detector deleted or disabled or its members disassociated, Security Hub disabled, the
--   Security Command Center API disabled in a project, or a Defender for Cloud plan set to the Free
--   tier. Attackers switch off detection before acting.
-- remediation: >
--   Re-enable the service at once and review the actor's activity; restrict these actions with SCPs,
--   organization policies or Azure Policy.
-- false_positives:
--   - Planned consolidation of GuardDuty or Defender under a delegated administrator account.
-- params: {}
-- ---
with security_service_events as (
  -- One scan per service rather than one OR across columns: each filter is pushed into its scan (the
  -- window too), so raw is read for these rows only (docs/detector-format.md).
  select *
  from events
  where source = 'aws'
    and service = 'guardduty.amazonaws.com'
    and (action in ['DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'StopMonitoringMembers', 'DeleteMembers', 'DisassociateMembers']
      or (action = 'UpdateDetector' and (raw->>'$.requestParameters.enable') = 'false'))
  union all
  select *
  from events
  where source = 'aws'
    and service = 'securityhub.amazonaws.com'
    and action in ['DisableSecurityHub', 'DisableImportFindingsForProduct']
  union all
  select *
  from events
  where source = 'gcp'
    and action ilike '%ServiceUsage.DisableService'
    and resources[1] ilike '%securitycenter.googleapis.com'
  union all
  select *
  from events
  where source = 'azure'
    and lower(action) = 'microsoft.security/pricings/write'
    and lower(coalesce(try_cast(raw->>'$.properties.requestbody' as json)->>'$.properties.pricingTier', '')) = 'free'
),
disabled_security_services as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource
  from security_service_events
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
  format('{} disabled threat detection: {} on {}', actor, action, coalesce(resource, account)) as summary,
  [event_id] as evidence
from disabled_security_services
order by event_time
