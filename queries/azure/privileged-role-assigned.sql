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
--   default) read from the Activity Log request body; a Global Administrator elevating their own access
--   (Microsoft.Authorization/elevateAccess/action in the Activity Log, or the Entra audit record "User
--   has elevated their access to User Access Administrator for their Azure Resources"), which grants User
--   Access Administrator at root scope '/' over every subscription of the tenant and is reported whatever
--   privileged_role_ids says; or an Entra ID directory role in privileged_directory_roles given to a
--   principal: 'Add member to role', 'Add eligible member to role', and the PIM completions (active or
--   eligible, permanent or timebound, 'outside of PIM', and PIM activations). PIM requests that were
--   not completed are not reported. Both records of one elevation (Activity and Entra) make one finding:
--   role User Access Administrator at resource '/'.
-- remediation: >
--   Confirm the assignment; remove unexpected ones and review the assignee's activity. Prefer PIM
--   eligible assignments with approval. After an elevation, remove the root-scope User Access
--   Administrator assignment as soon as the task is done (Entra ID properties, "Access management for
--   Azure resources": No) and review what the user assigned meanwhile.
-- false_positives:
--   - Break-glass and landing-zone deployment identities.
--   - PIM activations by approved administrators.
--   - Global Administrators elevating for a documented task (recovering access to a subscription whose owners left).
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
access_elevations as (
  -- The caller becomes User Access Administrator at root scope; both logs name the caller as actor.
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    '/' as resource,
    '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9' as role,
    actor as assignee
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and (
      (format = 'azure_activity' and lower(action) = 'microsoft.authorization/elevateaccess/action' and outcome = 'success')
      -- The Entra record is written once the elevation is done; some exports carry no result.
      or (format = 'entra_audit'
        and action = 'User has elevated their access to User Access Administrator for their Azure Resources'
        and outcome <> 'failure')
    )
),
directory_role_events as (
  select
    *,
    json_transform(raw->'$.properties.targetResources',
      '[{"type": "VARCHAR", "displayName": "VARCHAR", "userPrincipalName": "VARCHAR", "id": "VARCHAR", "modifiedProperties": [{"displayName": "VARCHAR", "newValue": "VARCHAR"}]}]') as targets
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and format = 'entra_audit'
    and action in [
      'Add member to role',
      'Add eligible member to role',
      'Add member to role outside of PIM (permanent)',
      'Add member to role in PIM completed (permanent)',
      'Add member to role in PIM completed (timebound)',
      'Add eligible member to role in PIM completed (permanent)',
      'Add eligible member to role in PIM completed (timebound)',
      'Add member to role completed (PIM activation)'
    ]
    and outcome = 'success'
),
directory_role_targets as (
  select
    *,
    -- 'Add member to role' names the role in the user target's modified properties; PIM records
    -- list the role, the request, the principal and the directory as separate targets.
    trim(list_filter(targets[1].modifiedProperties, p -> p.displayName = 'Role.DisplayName')[1].newValue, '"') as role_from_properties,
    list_filter(targets, t -> t.type = 'Role')[1].displayName as role_target,
    list_transform(list_filter(targets, t -> t.type in ['User', 'ServicePrincipal', 'Group']),
      t -> coalesce(t.userPrincipalName, t.displayName, t.id))[1] as principal_target
  from directory_role_events
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
    assignee as resource,
    role,
    assignee
  from (
    select
      *,
      coalesce(role_from_properties, role_target, resources[1]) as role,
      coalesce(principal_target, case when role_from_properties is not null then resources[1] else resources[2] end) as assignee
    from directory_role_targets
  ) as named_assignments
  where list_contains(getvariable('privileged_directory_roles'), role)
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
  format('{} elevated their own access to User Access Administrator at root scope (/) of tenant {}', actor, account) as summary,
  [event_id] as evidence,
  role
from access_elevations
union all
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} added {} to directory role {} ({})', actor, assignee, role, action) as summary,
  [event_id] as evidence,
  role
from directory_role_assignments
order by event_time
