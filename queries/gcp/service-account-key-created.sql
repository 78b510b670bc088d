-- ---
-- id: gcp/service-account-key-created
-- title: User-managed service account key created
-- severity: medium
-- sources: [gcp]
-- attack: [T1098.001]
-- controls:
--   cis_gcp_v3.0.0: ['1.4']
--   nist_800_53_r5: ['IA-5', 'AC-2']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A long-lived key was created for a service account (google.iam.admin.v1.CreateServiceAccountKey).
--   Keys leave the platform, never expire by default and let whoever holds them act as the service
--   account from anywhere.
-- remediation: >
--   Confirm who needs the key; prefer workload identity federation or impersonation. Delete unexpected
--   keys.
-- false_positives:
--   - Legacy integrations that still need a key file; track them and rotate.
-- params: {}
-- ---
with service_account_keys_created as (
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
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'iam.googleapis.com'
    and action = 'google.iam.admin.v1.CreateServiceAccountKey'
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
  format('{} created a key for service account {}', actor, resource) as summary,
  [event_id] as evidence
from service_account_keys_created
order by event_time
