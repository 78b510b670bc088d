-- ---
-- id: azure/diagnostic-settings-deleted
-- title: Diagnostic setting deleted
-- severity: high
-- sources: [azure]
-- attack: [T1562.008]
-- controls:
--   cis_azure_v3.0.0: ['6.1.1']
--   nist_800_53_r5: ['AU-9', 'AU-6']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A diagnostic setting (subscription Activity Log export, Entra ID log export or a resource's log
--   export) was deleted. Logs stop flowing to the workspace, storage or event hub the SOC reads.
-- remediation: >
--   Recreate the diagnostic setting and review the actor's other actions in the same period.
-- false_positives:
--   - Diagnostic settings replaced by a policy-managed setting with a different name.
-- params: {}
-- ---
with deleted_diagnostic_settings as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and lower(action) in ['microsoft.insights/diagnosticsettings/delete', 'microsoft.aadiam/diagnosticsettings/delete']
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
  format('{} deleted diagnostic setting {}', actor, resource) as summary,
  [event_id] as evidence
from deleted_diagnostic_settings
order by event_time
