-- ---
-- id: aws/s3-bucket-shared-outside
-- title: S3 bucket policy grants access to another AWS account
-- severity: medium
-- sources: [aws]
-- attack: [T1537, T1098]
-- controls:
--   soc2_2017: ['CC6.1']
--   nist_800_53_r5: ['AC-3', 'AC-21']
-- method: match
-- keys: [actor, account, resource, shared_with]
-- description: >
--   A successful PutBucketPolicy with an Allow statement whose principal names an AWS account (an account
--   id, or an ARN in that account) that is neither the bucket's own account nor one of trusted_accounts.
--   Attackers add such a statement to read a bucket from an account they control, or to keep access after
--   their credentials are revoked: the reads then happen in their account, where no data event of yours
--   records them. Reported per account granted. A policy for everyone is aws/s3-bucket-made-public;
--   grants to AWS services (Principal Service) and ACL grants to canonical user ids are not reported here.
-- remediation: >
--   Remove the statement, find out whom the account belongs to, and if unknown treat the bucket's
--   contents as disclosed; check S3 server access logs or data events for reads by that account.
-- false_positives:
--   - "Your own other accounts (log archive, data lake, backup): list them in trusted_accounts."
--   - Vendors that read a bucket by contract (an analytics or backup provider); add them to trusted_accounts too.
-- params:
--   trusted_accounts: []
-- ---
with policies as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.bucketName', resources[1]) as resource,
    -- the policy is usually a JSON object, sometimes a JSON string
    case
      when json_type(raw, '$.requestParameters.bucketPolicy') = 'VARCHAR' then try_cast(raw->>'$.requestParameters.bucketPolicy' as json)
      else raw->'$.requestParameters.bucketPolicy'
    end as policy
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action = 'PutBucketPolicy'
    and outcome = 'success'
),
statements as (
  select
    * exclude (policy),
    unnest(case
      when json_type(policy, '$.Statement') = 'ARRAY' then json_extract(policy, '$.Statement[*]')
      else [json_extract(policy, '$.Statement')]
    end) as statement
  from policies
),
grants as (
  select
    * exclude (statement),
    -- account ids named by the statement's AWS principals: bare ids and ARNs (arn:aws:iam::ID:...)
    list_distinct(regexp_extract_all(coalesce((statement->'$.Principal.AWS')::varchar, ''), '(?:^|[":])([0-9]{12})(?:[":]|$)', 1)) as accounts,
    coalesce(statement->>'$.Sid', '') as sid,
    coalesce((statement->'$.Action')::varchar, '') as actions
  from statements
  where statement->>'$.Effect' = 'Allow'
),
shares as (
  select
    * exclude (accounts),
    unnest(accounts) as shared_with
  from grants
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} granted AWS account {} access to bucket {} ({}{})', actor, shared_with, coalesce(resource, '(unnamed)'),
    replace(replace(replace(actions, '"', ''), '[', ''), ']', ''),
    case when sid <> '' then format(', statement {}', sid) else '' end) as summary,
  [event_id] as evidence,
  shared_with
from shares
where shared_with is distinct from account
  and not list_contains(getvariable('trusted_accounts')::varchar[], shared_with)
order by event_time
