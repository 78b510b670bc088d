-- ---
-- id: gcp/project-ownership-changed
-- title: Project ownership assigned or removed
-- severity: high
-- sources: [gcp]
-- attack: [T1098.003]
-- controls:
--   cis_gcp_v3.0.0: ['2.4']
--   nist_800_53_r5: ['AC-2(4)', 'AC-6']
-- method: match
-- keys: [actor, account, member, delta_action]
-- description: >
--   A SetIamPolicy on a project added or removed a member of roles/owner, read from the policy delta in
--   the audit record. Owners control everything in the project, including who else may.
-- remediation: >
--   Confirm the grant with the project's administrators. Prefer narrower roles; owners outside your
--   domain should be removed.
-- false_positives:
--   - Project bootstrap by infrastructure-as-code granting the project factory owner.
--   - Planned ownership hand-overs.
-- params: {}
-- ---
with project_iam_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    unnest(json_transform(
      coalesce(raw->'$.protoPayload.serviceData.policyDelta.bindingDeltas', raw->'$.protoPayload.metadata.datasetChange.bindingDeltas'),
      '[{"action": "VARCHAR", "role": "VARCHAR", "member": "VARCHAR"}]'
    )) as delta
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'cloudresourcemanager.googleapis.com'
    and action = 'SetIamPolicy'
    and outcome = 'success'
),
owner_deltas as (
  select
    *,
    delta.action as delta_action,
    delta.member as member
  from project_iam_changes
  where delta.role = 'roles/owner'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} {} {} as owner of {}', actor, case delta_action when 'ADD' then 'added' else 'removed' end, member, resource) as summary,
  [event_id] as evidence,
  member,
  delta_action
from owner_deltas
order by event_time
