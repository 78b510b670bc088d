-- ---
-- id: secret-reads
-- title: Secret reads by principal
-- sources: [aws, gcp, azure]
-- description: >
--   Who read which secret, how often and from where: AWS Secrets Manager GetSecretValue and
--   BatchGetSecretValue and SSM parameters read with decryption, Google Secret Manager
--   AccessSecretVersion and Kubernetes secrets read through GKE, Azure Key Vault secret gets. One row
--   per principal and secret.
-- params:
--   principal:
--     type: string
--     description: an actor or a pattern (% and _ are wildcards); every principal by default
--     default: '%'
--   secret:
--     type: string
--     description: part of the secret's name (case-insensitive); every secret by default
--     default: ''
-- examples:
--   - auditlake hunt secret-reads --since 2026-11-01
--   - auditlake hunt secret-reads --param secret=prod/db --param 'principal=%deploy%'
-- ---
with secret_reads as (
  select
    event_id,
    event_time,
    source,
    account,
    actor,
    action,
    outcome,
    source_ip,
    coalesce(resources[1], '(unnamed)') as secret
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and coalesce(actor, '') ilike getvariable('principal')
    and (
      (source = 'aws' and action in ['GetSecretValue', 'BatchGetSecretValue'])
      or (source = 'aws' and action in ['GetParameter', 'GetParameters', 'GetParametersByPath']
        and coalesce(raw ->> '$.requestParameters.withDecryption', 'false') = 'true')
      or (source = 'gcp' and action = 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion')
      or (source = 'gcp' and action in ['io.k8s.core.v1.secrets.get', 'io.k8s.core.v1.secrets.list'])
      or (source = 'azure' and (action = 'SecretGet' or lower(action) = 'microsoft.keyvault/vaults/secrets/getsecret/action'))
    )
)
select
  actor,
  source,
  account,
  secret,
  count(*) as reads,
  count(*) filter (where outcome = 'failure') as failed,
  min(event_time) as first_seen,
  max(event_time) as last_seen,
  list_sort(list_distinct(list(action))) as actions,
  list_sort(list_distinct(list(source_ip) filter (where source_ip is not null)))[1:10] as source_ips,
  list(event_id order by event_time, event_id)[1:20] as evidence
from secret_reads
where contains(lower(secret), lower(getvariable('secret')))
group by actor, source, account, secret
order by reads desc, actor, secret
