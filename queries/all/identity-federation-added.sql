-- ---
-- id: all/identity-federation-added
-- title: New identity provider or federation trust
-- severity: high
-- sources: [aws, gcp, azure]
-- attack: [T1484.002, T1556.007]
-- controls:
--   nist_800_53_r5: ['IA-8', 'AC-2']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A new or changed federation trust: an IAM SAML or OIDC provider created or updated, an IAM Roles
--   Anywhere trust anchor created or updated (workloads holding a certificate from that authority
--   can then assume roles), a GCP workload
--   or workforce identity pool provider created or updated, a Cloud Identity / Google Workspace inbound
--   SSO profile (SAML or OIDC) created or updated (admin.googleapis.com inboundSsoProfileCreated /
--   inboundSsoProfileUpdated: the organization then accepts sign-ins that IdP asserts), or an Entra ID
--   domain switched to federated authentication. Whoever controls the trusted IdP can mint sign-ins as
--   your users (Golden SAML). Deleted trusts are not reported.
-- remediation: >
--   Confirm the identity provider and its signing certificate with the identity team; remove unknown
--   providers.
-- false_positives:
--   - Planned IdP migrations and certificate rollovers (UpdateSAMLProvider, inboundSsoProfileUpdated).
--   - CI/CD OIDC providers (GitHub Actions) added by platform teams.
-- params: {}
-- ---
with federation_events as (
  -- One scan per kind of trust rather than one OR across columns: each filter is pushed into its
  -- scan (the window too), so raw is read for these rows only (docs/detector-format.md).
  select *
  from events
  where source = 'aws'
    and service = 'iam.amazonaws.com'
    and action in ['CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider', 'AddClientIDToOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint']
  union all
  select *
  from events
  where source = 'aws'
    and service = 'rolesanywhere.amazonaws.com'
    and action in ['CreateTrustAnchor', 'UpdateTrustAnchor']
  union all
  select *
  from events
  where source = 'gcp'
    and service = 'iam.googleapis.com'
    and regexp_matches(action, 'WorkloadIdentityPools\.(Create|Update)WorkloadIdentityPoolProvider$|WorkforcePools\.(Create|Update)WorkforcePoolProvider$')
  union all
  select *
  from events
  where source = 'gcp'
    and service = 'admin.googleapis.com'
    and action in ['google.admin.AdminService.inboundSsoProfileCreated', 'google.admin.AdminService.inboundSsoProfileUpdated']
  union all
  select *
  from events
  where source = 'azure'
    and format = 'entra_audit'
    and action in ['Set domain authentication', 'Set federation settings on domain', 'Add unverified domain', 'Add federated identity credential']
),
federation_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    case
      when source = 'aws' then coalesce(raw->>'$.requestParameters.name', raw->>'$.requestParameters.url', raw->>'$.responseElements.sAMLProviderArn', raw->>'$.responseElements.openIDConnectProviderArn', raw->>'$.requestParameters.trustAnchorId', resources[1])
      -- Admin audit entries name the profile in an event parameter; resourceName is the settings collection.
      when service = 'admin.googleapis.com' then coalesce(
        list_filter(
          flatten([e.parameter for e in json_transform(raw->'$.protoPayload.metadata.event', '[{"parameter": [{"name": "VARCHAR", "value": "VARCHAR"}]}]')]),
          p -> p.name = 'INBOUND_SSO_PROFILE_NAME'
        )[1].value,
        resources[1])
      else resources[1]
    end as resource
  from federation_events
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
  format('{} {} {}', actor, action, coalesce(resource, '')) as summary,
  [event_id] as evidence
from federation_changes
order by event_time
