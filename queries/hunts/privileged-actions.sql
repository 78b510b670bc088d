-- ---
-- id: privileged-actions
-- title: Privileged actions this week
-- sources: [aws, gcp, azure]
-- description: >
--   Successful changes to who may do what, over the last 7 days by default: IAM policies, users,
--   roles, access keys, login profiles and MFA in AWS, root sessions and identity providers; IAM
--   policy bindings, custom roles, service accounts and their keys and Kubernetes RBAC in Google
--   Cloud; role assignments and definitions, elevated access, directory role members, app
--   credentials and consents in Azure and Entra ID.
-- window: 7d
-- params:
--   principal:
--     type: string
--     description: an actor or a pattern (% and _ are wildcards); every principal by default
--     default: '%'
-- examples:
--   - auditlake hunt privileged-actions
--   - auditlake hunt privileged-actions --since 2026-11-01 --until 2026-11-15
-- ---
select
  event_time,
  source,
  account,
  actor,
  action,
  resources,
  source_ip,
  event_id
from events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and outcome = 'success'
  and coalesce(actor, '') ilike getvariable('principal')
  and (
    (source = 'aws' and action in [
      'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy',
      'PutGroupPolicy', 'CreatePolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'CreateUser',
      'CreateRole', 'UpdateAssumeRolePolicy', 'AddUserToGroup', 'CreateAccessKey', 'UpdateAccessKey',
      'CreateLoginProfile', 'UpdateLoginProfile', 'DeactivateMFADevice', 'DeleteVirtualMFADevice',
      'CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider', 'AssumeRoot',
      'PutBucketPolicy', 'PutKeyPolicy', 'CreateGrant',
      'CreateAccountAssignment', 'PutPermissionsBoundaryToPermissionSet', 'AttachManagedPolicyToPermissionSet'
    ])
    or (source = 'gcp' and (
      action ilike '%.SetIamPolicy' or action = 'SetIamPolicy'
      or action in [
        'google.iam.admin.v1.CreateServiceAccountKey', 'google.iam.admin.v1.UploadServiceAccountKey',
        'google.iam.admin.v1.CreateServiceAccount', 'google.iam.admin.v1.CreateRole',
        'google.iam.admin.v1.UpdateRole', 'GenerateAccessToken', 'SignJwt'
      ]
      or action ilike 'io.k8s.authorization.rbac.v1.%bindings.create'
      or action ilike 'io.k8s.authorization.rbac.v1.%bindings.update'
      or action ilike 'io.k8s.authorization.rbac.v1.%bindings.patch'
    ))
    or (source = 'azure' and (
      lower(action) in [
        'microsoft.authorization/roleassignments/write', 'microsoft.authorization/roledefinitions/write',
        'microsoft.authorization/elevateaccess/action', 'microsoft.authorization/policyassignments/write'
      ]
      or action in [
        'Add member to role', 'Add eligible member to role', 'Add app role assignment to service principal',
        'Add app role assignment grant to user', 'Add delegated permission grant', 'Consent to application',
        'Add service principal credentials', 'Update application – Certificates and secrets management',
        'Add owner to application', 'Add owner to service principal', 'Reset user password',
        'Add member to group'
      ]
    ))
  )
order by event_time, event_id
