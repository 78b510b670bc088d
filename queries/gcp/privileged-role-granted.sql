-- ---
-- id: gcp/privileged-role-granted
-- title: Privileged IAM role granted
-- severity: high
-- sources: [gcp]
-- attack: [T1098.003]
-- controls:
--   cis_gcp_v3.0.0: ['2.4']
--   nist_800_53_r5: ['AC-2(7)', 'AC-6']
-- method: match
-- keys: [account, member, role]
-- description: >
--   A SetIamPolicy that added a member to one of privileged_roles (owner, editor, IAM and security
--   admins, service account token creator) on a project, folder or organization. Grants to members
--   outside internal_domains are marked outside_domain and are the most suspicious.
-- remediation: >
--   Confirm the grant; remove grants to unknown or outside members and review what they did.
-- false_positives:
--   - Planned access grants to administrators.
--   - Infrastructure-as-code granting pipeline service accounts.
-- params:
--   privileged_roles: ["roles/owner", "roles/editor", "roles/resourcemanager.projectIamAdmin", "roles/resourcemanager.organizationAdmin", "roles/iam.securityAdmin", "roles/iam.serviceAccountAdmin", "roles/iam.serviceAccountKeyAdmin", "roles/iam.serviceAccountTokenCreator", "roles/iam.workloadIdentityPoolAdmin"]
--   internal_domains: ["example.com"]
-- ---
with iam_policy_changes as (
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
    and action ilike '%SetIamPolicy'
    and outcome = 'success'
),
privileged_grants as (
  select
    *,
    delta.member as member,
    delta.role as role,
    nullif(regexp_extract(delta.member, '@([^@]+)$', 1), '') as member_domain
  from iam_policy_changes
  where delta.action = 'ADD'
    and list_contains(getvariable('privileged_roles'), delta.role)
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} granted {} to {} on {}{}', actor, role, member, resource, case when outside_domain then ' (outside ' || array_to_string(getvariable('internal_domains'), ', ') || ')' else '' end) as summary,
  [event_id] as evidence,
  member,
  role,
  outside_domain
from (
  select
    *,
    member_domain is not null
      and not regexp_matches(member_domain, '(^|\.)(gserviceaccount\.com|iam\.gserviceaccount\.com)$')
      and not list_contains(getvariable('internal_domains'), member_domain) as outside_domain
  from privileged_grants
) as graded_grants
order by event_time
