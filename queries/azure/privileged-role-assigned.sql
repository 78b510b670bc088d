-- ---
-- id: azure/privileged-role-assigned
-- title: Owner, User Access Administrator or privileged directory role assigned
-- severity: high
-- sources: [azure]
-- attack: [T1098.003]
-- controls:
--   nist_800_53_r5: ['AC-2(7)', 'AC-6']
-- method: match
-- keys: [account, resource, role]
-- description: >
--   An Azure RBAC role assignment of a role in privileged_role_ids (Owner, User Access Administrator by
--   default) read from the Activity Log request body, or an Entra ID 'Add member to role' / 'Add
--   eligible member to role' for a directory role in privileged_directory_roles.
-- remediation: >
--   Confirm the assignment; remove unexpected ones and review the assignee's activity. Prefer PIM
--   eligible assignments with approval.
-- false_positives:
--   - Break-glass and landing-zone deployment identities.
--   - PIM activations by approved administrators.
-- params:
--   privileged_role_ids: ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"]
--   privileged_directory_roles: ["Global Administrator", "Privileged Role Administrator", "Privileged Authentication Administrator", "Application Administrator", "Cloud Application Administrator", "User Administrator"]
-- ---
with arm_role_assignments as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    coalesce(
      try_cast(raw->>'$.properties.requestbody' as json),
      try_cast(raw->>'$.properties.requestBody' as json),
      try_cast(raw->>'$.Properties.requestbody' as json),
      try_cast(raw->>'$.properties.responseBody' as json)
    ) as request_body
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and format = 'azure_activity'
    and lower(action) = 'microsoft.authorization/roleassignments/write'
    and outcome = 'success'
),
privileged_arm_assignments as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resource,
    lower(regexp_extract(coalesce(request_body->>'$.Properties.RoleDefinitionId', request_body->>'$.properties.roleDefinitionId'), '[0-9a-fA-F-]{36}$')) as role,
    coalesce(request_body->>'$.Properties.PrincipalId', request_body->>'$.properties.principalId') as assignee
  from arm_role_assignments
),
directory_role_assignments as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    case when role_from_target is not null then resources[1] else resources[2] end as resource,
    coalesce(role_from_target, resources[1]) as role,
    case when role_from_target is not null then resources[1] else resources[2] end as assignee
  from (
    select
      *,
      trim(list_filter(
        json_transform(raw->'$.properties.targetResources[0].modifiedProperties', '[{"displayName": "VARCHAR", "newValue": "VARCHAR"}]'),
        p -> p.displayName = 'Role.DisplayName'
      )[1].newValue, '"') as role_from_target
    from events
    where source = 'azure'
      and event_time >= getvariable('window_start')
      and event_time < getvariable('window_end')
      and format = 'entra_audit'
      and action in ('Add member to role', 'Add eligible member to role', 'Add member to role completed (PIM activation)')
      and outcome = 'success'
  ) as directory_role_events
  where list_contains(getvariable('privileged_directory_roles'), coalesce(role_from_target, resources[1]))
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} assigned {} to {} at {}', actor, case role when '8e3af657-a8ff-443c-a75c-2fe8c4bcb635' then 'Owner' when '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9' then 'User Access Administrator' else role end, assignee, resource) as summary,
  [event_id] as evidence,
  role
from privileged_arm_assignments
where list_contains(getvariable('privileged_role_ids'), role)
union all
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} added {} to directory role {}', actor, assignee, role) as summary,
  [event_id] as evidence,
  role
from directory_role_assignments
order by event_time
