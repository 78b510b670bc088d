-- ---
-- id: workload-identity-activity
-- title: Actions by a GCP service account or an Azure app
-- sources: [gcp, azure]
-- description: >
--   What a workload identity did: a Google Cloud service account acting itself or being impersonated
--   (the principal that impersonated it is in actor_issuer), or an Azure / Entra ID application found
--   by its app (client) id, service principal id, object id or name, whether it acted as itself or
--   signed a user's call (the app a user signed in through). One row per event, with how the identity
--   appears in it.
-- params:
--   identity:
--     type: string
--     description: a service account email, an app (client) id, a service principal or object id, or an app name
-- examples:
--   - auditlake hunt workload-identity-activity --param identity=deploy@acme-prod-1.iam.gserviceaccount.com
--   - auditlake hunt workload-identity-activity --param identity=7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f
-- ---
with candidate_events as (
  select
    event_time,
    source,
    account,
    actor,
    actor_type,
    actor_issuer,
    action,
    outcome,
    source_ip,
    resources,
    event_id,
    lower(getvariable('identity')) as wanted,
    lower(details ->> '$.app_id') as app_id,
    lower(details ->> '$.actor_app_id') as actor_app_id,
    lower(details ->> '$.actor_id') as actor_id,
    lower(details ->> '$.service_principal_id') as service_principal_id,
    lower(details ->> '$.app_display_name') as app_display_name
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and source in ['gcp', 'azure']
)
select
  event_time,
  source,
  account,
  case
    when lower(actor) = wanted then 'actor'
    when lower(actor_issuer) = wanted then 'impersonated the actor'
    when wanted in (actor_app_id, actor_id, service_principal_id) then 'actor'
    -- An app acting as itself (a service principal or managed identity) names its app id here too.
    when wanted = app_id and actor_type = 'service' then 'actor'
    else 'client app'
  end as appears_as,
  actor,
  actor_issuer,
  action,
  outcome,
  source_ip,
  resources,
  event_id
from candidate_events
where wanted <> ''
  and (
    lower(actor) = wanted
    or lower(actor_issuer) = wanted
    or wanted in (app_id, actor_app_id, actor_id, service_principal_id, app_display_name)
  )
order by event_time, event_id
