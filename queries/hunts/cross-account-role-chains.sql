-- ---
-- id: cross-account-role-chains
-- title: Cross-account role chains
-- sources: [aws]
-- description: >
--   Chains of sts:AssumeRole calls where a principal assumes a role and the session it gets assumes
--   another role, and so on, and at least one hop crosses from one AWS account into another. One row
--   per longest chain: the principals in order (the caller, then each assumed-role session), the
--   accounts they belong to, when it happened and the AssumeRole events behind it. Repeated hops
--   (the same caller assuming the same role as the same session) are folded into one, so a nightly
--   job's daily call does not multiply the chains.
-- params:
--   principal:
--     type: string
--     description: where a chain starts (its first caller); % and _ are wildcards; any by default
--     default: '%'
--   max_hops:
--     type: integer
--     description: follow chains at most this many hops
--     default: 5
-- examples:
--   - auditlake hunt cross-account-role-chains
--   - auditlake hunt cross-account-role-chains --param 'principal=%alice%' --since 2026-11-01
-- ---
with recursive assume_role_calls as (
  select
    event_id,
    event_time,
    coalesce(userIdentity_arn, userIdentity_principalId, userIdentity_accountId) as caller,
    coalesce(userIdentity_accountId, account) as caller_account,
    requestParameters ->> '$.roleArn' as role_arn,
    nullif(split_part(requestParameters ->> '$.roleArn', ':', 5), '') as role_account,
    responseElements ->> '$.assumedRoleUser.arn' as session_arn
  from cloudtrail
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and eventName = 'AssumeRole'
    and errorCode is null
    and coalesce(userIdentity_type, '') <> 'AWSService'
),
hops as (
  select
    caller,
    caller_account,
    role_arn,
    role_account,
    session_arn,
    min(event_time) as first_time,
    max(event_time) as last_time,
    list(event_id order by event_time, event_id)[1:5] as event_ids
  from assume_role_calls
  where caller is not null
    and session_arn is not null
  group by all
),
chains as (
  select
    [h.caller, h.session_arn] as principals,
    [h.caller_account, h.role_account] as accounts,
    h.session_arn as tail,
    h.first_time as started,
    h.last_time as latest,
    h.event_ids as evidence,
    1 as hop_count
  from hops h
  where h.caller ilike getvariable('principal')
    -- Chains start at a principal no other hop produced.
    and h.caller not in (select session_arn from hops)
  union all
  select
    list_append(c.principals, h.session_arn),
    list_append(c.accounts, h.role_account),
    h.session_arn,
    c.started,
    greatest(c.latest, h.last_time),
    list_concat(c.evidence, h.event_ids),
    c.hop_count + 1
  from chains c
  join hops h
    on h.caller = c.tail
    -- A session can only act once it exists.
    and h.last_time >= c.started
  where c.hop_count < getvariable('max_hops')
    and not list_contains(c.principals, h.session_arn)
)
select
  started as event_time,
  principals[1] as origin,
  principals[-1] as final_session,
  hop_count as hops,
  principals,
  accounts,
  latest as last_seen,
  evidence
from chains c
where len(list_distinct(list_filter(accounts, lambda a: a is not null))) > 1
  -- Only the longest chains: drop one that another chain continues.
  and not exists (
    select 1
    from hops h
    where h.caller = c.tail
      and h.last_time >= c.started
      and not list_contains(c.principals, h.session_arn)
      and c.hop_count < getvariable('max_hops')
  )
order by started, origin, hops
