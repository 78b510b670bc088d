-- ---
-- id: aws/role-trust-policy-widened
-- title: Role trust policy opened to an outside or any principal
-- severity: high
-- sources: [aws]
-- attack: [T1098.003, T1484.002]
-- controls:
--   nist_800_53_r5: ['AC-3', 'AC-6']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   CreateRole or UpdateAssumeRolePolicy with a trust policy that lets any principal ("AWS": "*") or an
--   account that is neither this one nor in trusted_accounts assume the role. A backdoor role an outside
--   account can assume survives credential rotation.
-- remediation: >
--   Check the trusted principal; remove the statement if the account is not yours, and add an
--   sts:ExternalId or aws:PrincipalOrgID condition for legitimate third parties.
-- false_positives:
--   - "Vendor integrations (monitoring, backup) that are trusted by design: add their account ids to trusted_accounts."
-- params:
--   trusted_accounts: ["111122223333"]
-- ---
with trust_policy_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw->>'$.requestParameters.roleName' as resource,
    regexp_replace(coalesce(raw->>'$.requestParameters.policyDocument', raw->>'$.requestParameters.assumeRolePolicyDocument', ''), '\s', '', 'g') as trust_policy
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'iam.amazonaws.com'
    and action in ['UpdateAssumeRolePolicy', 'CreateRole']
    and outcome = 'success'
),
trusted_principals as (
  select
    *,
    list_distinct(regexp_extract_all(trust_policy, '(?:arn:aws[a-z-]*:iam::|"AWS":\[?")(\d{12})', 1)) as principal_accounts,
    regexp_matches(trust_policy, '"AWS":\[?"\*"|"Principal":"\*"') as any_principal
  from trust_policy_changes
),
widened_trusts as (
  select
    *,
    [a for a in principal_accounts if a <> account and not list_contains(getvariable('trusted_accounts'), a)] as outside_accounts
  from trusted_principals
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} let {} assume role {}', actor,
    case when any_principal then 'any AWS principal' else 'account(s) ' || array_to_string(outside_accounts, ', ') end, resource) as summary,
  [event_id] as evidence,
  outside_accounts
from widened_trusts
where any_principal
  or len(outside_accounts) > 0
order by event_time
