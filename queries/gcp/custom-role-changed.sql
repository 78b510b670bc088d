-- ---
-- id: gcp/custom-role-changed
-- title: Custom IAM role changed
-- severity: medium
-- sources: [gcp]
-- attack: [T1098.003]
-- controls:
--   cis_gcp_v3.0.0: ['2.6']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A custom IAM role was created, updated, deleted or undeleted. Adding a permission to a widely
--   granted custom role quietly widens everyone who holds it.
-- remediation: >
--   Review the role's permission list; confirm the change came from the expected pipeline.
-- false_positives:
--   - Role definitions managed by infrastructure-as-code.
-- params: {}
-- ---
with custom_role_changed_events as (
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
    and action in ['google.iam.admin.v1.CreateRole', 'google.iam.admin.v1.UpdateRole', 'google.iam.admin.v1.DeleteRole', 'google.iam.admin.v1.UndeleteRole']
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
  format('{} changed a custom role: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from custom_role_changed_events
order by event_time
