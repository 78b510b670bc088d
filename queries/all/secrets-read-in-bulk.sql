-- ---
-- id: all/secrets-read-in-bulk
-- title: Many distinct secrets read by one principal in minutes
-- severity: high
-- sources: [aws, gcp, azure]
-- attack: [T1555.006, T1552]
-- controls:
--   soc2_2017: ['CC6.1', 'CC7.2']
--   iso27001_2022: ['A.8.16']
--   nist_800_53_r5: ['AC-6', 'SI-4', 'AU-6']
-- method: threshold
-- keys: [identity, account]
-- description: >
--   One principal reads the values of at least min_secrets distinct secrets within window_minutes, or
--   retrieves secrets by filter in one call (Secrets Manager BatchGetSecretValue with filters instead of
--   a list of ids, which returns every secret the filter matches, all of them with a catch-all filter).
--   Applications read the few secrets they need, again and again; someone harvesting credentials reads
--   many different ones once. Secret reads: Secrets Manager GetSecretValue and BatchGetSecretValue
--   (each id of its list), SSM GetParameter, GetParameters (each name) and GetParametersByPath (the path)
--   with withDecryption, Secret Manager AccessSecretVersion (the secret, whatever its version) and Key
--   Vault secret reads. Needs no history, unlike secret-reads-unusual and sensitive-read-burst, so a
--   new principal or stolen credentials used once are judged too. AWS services reading secrets for a
--   caller (sourceIPAddress an AWS service) are not counted. The principal is the person behind a role
--   session when the session is named after one, else the role, else the actor. The finding holds the
--   stretch with the most distinct secrets.
-- remediation: >
--   Ask the principal's owner whether they read these secrets; if not, revoke its sessions and
--   credentials, rotate every secret in the evidence, and check where the reads came from (source_ip,
--   user agent) and what the principal did next with those credentials.
-- false_positives:
--   - Secret synchronizers (External Secrets Operator, a vault sync job) and configuration loaders that
--     read every secret of an application at start; suppress them by actor.
--   - Administrators auditing or migrating secrets by hand.
-- params:
--   min_secrets: 10
--   window_minutes: 10
-- ---
-- SSM parameters count only with decryption, a flag of the raw record, and workloads read their
-- parameters all day: the raw record is read only for the calls of principals that read at least
-- min_secrets distinct parameters (or paths) at all, decrypted or not, which any qualifier does.
with ssm_calls as (
  select
    actor,
    account,
    coalesce(name, event_id) as name
  from (
    select
      actor,
      account,
      event_id,
      unnest(case when action = 'GetParametersByPath' or len(resources) = 0 then [null] else resources end) as name
    from events
    where source = 'aws'
      and event_time >= getvariable('window_start')
      and event_time < getvariable('window_end')
      and service = 'ssm.amazonaws.com'
      and action in ['GetParameter', 'GetParameters', 'GetParametersByPath']
      and outcome = 'success'
      and actor is not null
  )
),
ssm_readers as (
  select
    actor,
    account
  from ssm_calls
  group by actor, account
  having count(distinct name) >= getvariable('min_secrets')
),
ssm_parameter_reads as (
  select
    e.*
  from events as e
  semi join ssm_readers as r
    on r.actor = e.actor
    and r.account is not distinct from e.account
  where e.source = 'aws'
    and e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
    and e.service = 'ssm.amazonaws.com'
    and e.action in ['GetParameter', 'GetParameters', 'GetParametersByPath']
    and e.outcome = 'success'
),
secret_reads as (
  -- BatchGetSecretValue names its secrets (secretIdList) or gives filters, and then the ids it
  -- returned are not logged: such a call counts as a retrieval by filter (the filters are in the
  -- evidence event's raw record)
  select
    event_id,
    event_time,
    source,
    actor,
    actor_type,
    actor_issuer,
    account,
    region,
    source_ip,
    action,
    case
      when action = 'BatchGetSecretValue' and len(resources) = 0 then ['(by filter)']
      else resources
    end as secrets,
    action = 'BatchGetSecretValue' and len(resources) = 0 as by_filter
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'secretsmanager.amazonaws.com'
    and action in ['GetSecretValue', 'BatchGetSecretValue']
    and outcome = 'success'
    and actor is not null
  union all
  select
    p.event_id,
    p.event_time,
    p.source,
    p.actor,
    p.actor_type,
    p.actor_issuer,
    p.account,
    p.region,
    p.source_ip,
    p.action,
    case
      when p.action = 'GetParametersByPath' then [coalesce(p.raw->>'$.requestParameters.path', '(a path)')]
      else p.resources
    end as secrets,
    false as by_filter
  from ssm_parameter_reads as p
  where lower(p.raw->>'$.requestParameters.withDecryption') = 'true'
  union all
  select
    event_id,
    event_time,
    source,
    actor,
    actor_type,
    actor_issuer,
    account,
    region,
    source_ip,
    action,
    -- projects/p/secrets/s/versions/3 and .../versions/latest are one secret
    [regexp_replace(r, '/versions/[^/]+$', '') for r in resources] as secrets,
    false as by_filter
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and action like '%SecretManagerService.AccessSecretVersion'
    and outcome = 'success'
    and actor is not null
  union all
  select
    event_id,
    event_time,
    source,
    actor,
    actor_type,
    actor_issuer,
    account,
    region,
    source_ip,
    action,
    -- Key Vault logs the secret's URI with its version (properties.id); the resource is the vault
    [coalesce(nullif(regexp_extract(raw->>'$.properties.id', '^(https://[^/]+/secrets/[^/?]+)', 1), ''), resources[1], '(a secret)')] as secrets,
    false as by_filter
  from events
  where source = 'azure'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and lower(action) in ['secretget', 'microsoft.keyvault/vaults/secrets/read', 'microsoft.keyvault/vaults/secrets/getsecret/action']
    and outcome = 'success'
    and actor is not null
),
reads as (
  select
    *,
    identity_of(actor, actor_type, actor_issuer) as identity
  from secret_reads
  where coalesce(source_ip, '') not like '%.amazonaws.com'
),
-- Only principals that read enough distinct secrets in the whole window (or one batch by filter)
-- can have a stretch that does: an application rereading its few secrets all day stops here.
candidates as (
  select
    identity,
    account
  from (select identity, account, by_filter, unnest(secrets) as secret from reads)
  group by identity, account
  having count(distinct secret) >= getvariable('min_secrets')
    or bool_or(by_filter)
),
candidate_reads as (
  select
    r.event_id,
    r.event_time,
    r.identity,
    r.actor,
    r.account,
    r.region,
    r.source_ip,
    r.action,
    r.by_filter,
    unnest(r.secrets) as secret,
    -- 1 on one row per read, so a read of many secrets is one piece of evidence
    unnest(range(1, len(r.secrets) + 1)) as secret_index
  from reads as r
  semi join candidates as c
    on c.identity = r.identity
    and c.account is not distinct from r.account
),
-- Every read opens a stretch of window_minutes; the distinct secrets read in it are counted by a
-- window count, and only each principal's busiest stretch, the earliest of equals, is then gathered:
-- listing every stretch's secrets and reads grew with the square of an application's rereads
-- (32,000 reads of 20 secrets in a day took 26 s).
stretches as (
  select
    identity,
    account,
    event_time,
    count(distinct secret) over stretch as secrets,
    bool_or(by_filter) over stretch as by_filter
  from candidate_reads
  window stretch as (
    partition by identity, account
    order by event_time
    range between current row and to_minutes(getvariable('window_minutes')::integer) following
  )
),
busiest as (
  select
    identity,
    account,
    event_time as start_time
  from stretches
  where secrets >= getvariable('min_secrets')
    or by_filter
  qualify row_number() over (partition by identity, account order by secrets desc, event_time) = 1
),
gathered as (
  select
    b.identity,
    b.account,
    b.start_time as event_time,
    max(r.event_time) as last_time,
    arg_min(r.actor, r.event_time) as actor,
    arg_min(r.region, r.event_time) as region,
    arg_min(r.source_ip, r.event_time) as source_ip,
    count(distinct r.secret) as secrets,
    list(distinct r.secret) as secret_names,
    list(distinct r.action) as actions,
    bool_or(r.by_filter) as by_filter,
    list(r.event_id order by r.event_time, r.event_id) filter (where r.secret_index = 1) as evidence
  from busiest as b
  join candidate_reads as r
    on r.identity = b.identity
    and r.account is not distinct from b.account
    and r.event_time >= b.start_time
    and r.event_time <= b.start_time + to_minutes(getvariable('window_minutes')::integer)
  group by b.identity, b.account, b.start_time
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  array_to_string(list_sort(actions), ', ') as action,
  array_to_string(list_sort(secret_names)[1:10], ', ') as resource,
  case
    when by_filter and secrets = 1
      then format('{} retrieved secrets by filter at {} UTC ({}), which returns every secret the filter matches (the filters are in the evidence event)',
        identity, strftime(event_time, '%Y-%m-%d %H:%M'), array_to_string(list_sort(actions), ', '))
    else format('{} read {} distinct secrets between {} and {} UTC ({}){}: {}{}', identity, secrets,
      strftime(event_time, '%Y-%m-%d %H:%M'), strftime(last_time, '%H:%M'),
      array_to_string(list_sort(actions), ', '),
      case when by_filter then ', one batch of them by filter' else '' end,
      array_to_string(list_sort(secret_names)[1:10], ', '),
      case when len(secret_names) > 10 then format(' and {} more', len(secret_names) - 10) else '' end)
  end as summary,
  evidence[1:200] as evidence,
  identity,
  secrets
from gathered
order by event_time
