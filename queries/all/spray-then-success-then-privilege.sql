-- ---
-- id: all/spray-then-success-then-privilege
-- title: Password spray, then a sprayed user signs in, then grants privileges
-- severity: critical
-- sources: [aws, azure]
-- attack: [T1110.003, T1078.004, T1098.003, T1098.001]
-- controls:
--   cis_aws_v4.0.0: ['4.6']
--   nist_800_53_r5: ['AC-7', 'AC-2(7)', 'SI-4']
--   soc2_2017: ['CC7.2']
-- method: sequence
-- keys: [actor, account]
-- description: >
--   Three steps within max_hours: one source address fails to sign in as at least min_users distinct users
--   (Entra password errors in failure_codes, AWS console failures); then one of those users signs in
--   successfully (from any address); then that user grants privileges: Entra "Add member to role" and its
--   eligible/scoped variants, app role assignments and new application or service principal owners or
--   credentials, Azure RBAC role assignments; AWS Attach*/Put* user, role and group policies, new policy
--   versions, AddUserToGroup, access keys and login profiles. Each step alone is common; together they are a
--   spray that worked and is being turned into persistence. The grant must be in the window; the spray and
--   the sign-in may precede it by up to max_hours.
-- remediation: >
--   Revoke the user's sessions and reset the password, undo the grant, block the spraying address, and check
--   every other sprayed user for a success. Enforce MFA for all users, legacy authentication off.
-- false_positives:
--   - A user locked out with the rest of the office behind one NAT after a password-policy change, who then
--     signs in and does routine administration (check the grant).
-- params:
--   min_users: 5
--   max_hours: 6
--   failure_codes: ["50126", "50053", "50034", "50056", "50055", "50057"]
-- ---
with sign_in_events as (
  -- Two scans, not one OR across columns: each filter is pushed into its scan, so raw is read for
  -- sign-ins only (docs/detector-format.md#writing-fast-detectors).
  select *
  from events
  where source = 'aws'
    and action = 'ConsoleLogin'
    and event_time >= getvariable('window_start')::timestamptz - to_hours(2 * getvariable('max_hours')::integer)
    and event_time < getvariable('window_end')
  union all
  select *
  from events
  where source = 'azure'
    and format = 'entra_signin'
    and event_time >= getvariable('window_start')::timestamptz - to_hours(2 * getvariable('max_hours')::integer)
    and event_time < getvariable('window_end')
),
sign_ins as (
  select
    event_id,
    event_time,
    source,
    account,
    region,
    source_ip,
    actor,
    outcome,
    error_code,
    case
      when source = 'aws' then lower(coalesce(raw->>'$.userIdentity.userName', regexp_extract(actor, '[^/:]+$')))
      else lower(actor)
    end as login_name
  from sign_in_events
),
failed_sign_ins as (
  select
    *
  from sign_ins
  where outcome = 'failure'
    and source_ip is not null
    and login_name is not null
    and login_name <> 'hidden_due_to_security_reasons'
    and (source = 'aws' or list_contains(getvariable('failure_codes'), error_code))
),
spray_sources as (
  select
    source,
    account,
    source_ip
  from failed_sign_ins
  group by source, account, source_ip
  having count(distinct login_name) >= getvariable('min_users')
),
sprayed_users as (
  select
    f.source,
    f.account,
    f.source_ip,
    f.login_name,
    min(f.event_time) as first_failure,
    max(f.event_time) as last_failure,
    count(*) as failure_count,
    -- The first 200 failures: with thousands, the success and the grant appended after them must
    -- still fit the finding's evidence (1,000 ids).
    arg_min(f.event_id, f.event_time, 200) as failure_ids,
    (select count(distinct login_name) from failed_sign_ins as x
      where x.source = f.source and x.account = f.account and x.source_ip = f.source_ip) as sprayed_count
  from failed_sign_ins as f
  join spray_sources as s
    on s.source = f.source
    and s.account = f.account
    and s.source_ip = f.source_ip
  group by all
),
-- Each success after a spray of its user, with the latest such spray (a user is sprayed from a
-- handful of addresses, so this stays linear in the sign-ins).
sprayed_then_signed_in as (
  select
    u.source,
    u.account,
    u.source_ip,
    u.login_name,
    u.last_failure,
    -- AWS grants must be in the sign-in's account; Entra ID grants are tenant-wide
    case when u.source = 'aws' then u.account else '' end as grant_scope,
    s.event_id as success_id,
    s.event_time as success_time,
    s.source_ip as success_ip
  from sprayed_users as u
  join sign_ins as s
    on s.source = u.source
    and s.account = u.account
    and s.login_name = u.login_name
    and s.outcome = 'success'
    and s.event_time > u.first_failure
    and s.event_time <= u.last_failure + to_hours(getvariable('max_hours')::integer)
  qualify row_number() over (partition by s.event_id order by u.last_failure desc, u.source_ip) = 1
),
privilege_grants as (
  select
    event_id,
    event_time,
    source,
    actor,
    account,
    region,
    source_ip,
    action,
    resources,
    case
      when source = 'aws' then lower(coalesce(raw->>'$.userIdentity.userName', regexp_extract(actor, '[^/:]+$')))
      else lower(actor)
    end as login_name,
    case when source = 'aws' then account else '' end as grant_scope
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and outcome = 'success'
    and ((source = 'aws' and service = 'iam.amazonaws.com' and action in ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy',
          'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion', 'AddUserToGroup', 'CreateAccessKey',
          'CreateLoginProfile', 'UpdateLoginProfile', 'UpdateAssumeRolePolicy'])
      or (source = 'azure' and format = 'entra_audit' and action in ['Add member to role', 'Add eligible member to role',
          'Add scoped member to role', 'Add app role assignment to service principal', 'Add app role assignment grant to user',
          'Add owner to application', 'Add owner to service principal', 'Add service principal credentials',
          'Update application – Certificates and secrets management'])
      or (source = 'azure' and lower(action) = 'microsoft.authorization/roleassignments/write'))
),
-- Each grant with the latest sprayed-then-successful sign-in of its user before it: an ASOF join,
-- linear in the grants (joining every sign-in to every grant grew with their product).
matched_sequences as (
  select
    u.first_failure,
    g.event_time as grant_time,
    g.actor,
    g.account,
    g.region,
    t.source_ip,
    g.action,
    coalesce(array_to_string(g.resources, ', '), '') as resource,
    t.login_name,
    u.sprayed_count,
    u.failure_count as failures,
    t.success_time,
    t.success_ip,
    list_concat(u.failure_ids, [t.success_id, g.event_id]) as evidence
  from privilege_grants as g
  asof join sprayed_then_signed_in as t
    on t.source = g.source
    and t.login_name = g.login_name
    and t.grant_scope = g.grant_scope
    and g.event_time > t.success_time
  join sprayed_users as u
    on u.source = t.source
    and u.account = t.account
    and u.source_ip = t.source_ip
    and u.login_name = t.login_name
  where g.event_time <= t.success_time + to_hours(getvariable('max_hours')::integer)
)
select
  first_failure as event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  nullif(resource, '') as resource,
  format('{} was among {} users sprayed from {} ({} failures from {}), signed in at {} from {}, then {} ({}) at {}',
    login_name, sprayed_count, source_ip, failures, strftime(first_failure, '%Y-%m-%d %H:%M'), strftime(success_time, '%H:%M'),
    success_ip, action, coalesce(nullif(resource, ''), '?'), strftime(grant_time, '%H:%M')) as summary,
  evidence,
  login_name,
  sprayed_count
from matched_sequences
order by event_time
