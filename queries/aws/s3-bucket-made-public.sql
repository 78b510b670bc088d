-- ---
-- id: aws/s3-bucket-made-public
-- title: S3 bucket made public or its public access block turned off
-- severity: high
-- sources: [aws]
-- attack: [T1530, T1537]
-- controls:
--   cis_aws_v4.0.0: ['4.8']
--   nist_800_53_r5: ['AC-3', 'AC-21', 'SC-7']
--   soc2_2017: ['CC6.1']
-- method: match
-- keys: [actor, account, resource, exposure]
-- description: >
--   A successful S3 call that opens a bucket to everyone: PutBucketAcl (or CreateBucket) granting the
--   AllUsers or AuthenticatedUsers group or using a public canned ACL (public-read, public-read-write,
--   authenticated-read); PutBucketPolicy with an Allow statement for Principal "*" (or {"AWS": "*"}) that
--   no restricting condition narrows (source IP or VPC/VPC endpoint, principal or source account, org id,
--   source ARN); or the public access block turned off, for a bucket (PutBucketPublicAccessBlock with any
--   of the four settings false, DeleteBucketPublicAccessBlock) or for the whole account
--   (PutAccountPublicAccessBlock, DeleteAccountPublicAccessBlock). Conditions such as aws:SecureTransport
--   alone do not restrict who can read, so they do not clear a statement.
-- remediation: >
--   Confirm the bucket is meant to be public (static website, public dataset); otherwise restore the
--   public access block, remove the grant or statement, and review the bucket's access logs and data
--   events for reads since the change.
-- false_positives:
--   - Buckets that serve a public website or dataset by design (prefer CloudFront with origin access control).
--   - "Templates that write the public access block with some settings false on purpose (for example a bucket whose policy is meant to be public): the finding names the settings turned off."
-- params:
--   restricting_condition_keys: ["aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:userid", "aws:username", "aws:principalorgpaths", "s3:dataaccesspointaccount", "s3:dataaccesspointarn"]
-- ---
with s3_access_changes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.bucketName', resources[1], account) as resource,
    coalesce(raw->'$.requestParameters', '{}'::json) as request
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service in ['s3.amazonaws.com', 's3-control.amazonaws.com']
    and action in ['PutBucketAcl', 'CreateBucket', 'PutBucketPolicy', 'PutBucketPublicAccessBlock', 'PutPublicAccessBlock',
      'DeleteBucketPublicAccessBlock', 'DeletePublicAccessBlock', 'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock']
    and outcome = 'success'
),
acl_grants as (
  select
    *,
    'public ACL' as exposure,
    list_distinct(regexp_extract_all(request::varchar, 'acs\.amazonaws\.com/groups/global/(AllUsers|AuthenticatedUsers)', 1)
      || regexp_extract_all(lower(request::varchar), '"x-amz-acl":\s*\[?\s*"(public-read-write|public-read|authenticated-read)"', 1)) as grantees
  from s3_access_changes
  where action in ['PutBucketAcl', 'CreateBucket']
),
policy_statements as (
  select
    c.*,
    unnest(case
      when json_type(s.policy, '$.Statement') = 'ARRAY' then json_extract(s.policy, '$.Statement[*]')
      else [json_extract(s.policy, '$.Statement')]
    end) as statement
  from s3_access_changes as c,
    lateral (select case
      when json_type(c.request, '$.bucketPolicy') = 'VARCHAR' then try_cast(c.request->>'$.bucketPolicy' as json)
      else c.request->'$.bucketPolicy'
    end as policy) as s
  where c.action = 'PutBucketPolicy'
),
public_policy_statements as (
  select
    *,
    regexp_replace(coalesce(statement->>'$.Principal', ''), '\s', '', 'g') as principal_text,
    lower(coalesce(statement->>'$.Condition', '')) as condition_text
  from policy_statements
  where (statement->>'$.Effect') = 'Allow'
),
open_policies as (
  select
    event_id,
    any_value(event_time) as event_time,
    any_value(actor) as actor,
    any_value(account) as account,
    any_value(region) as region,
    any_value(source_ip) as source_ip,
    any_value(action) as action,
    any_value(resource) as resource,
    'public policy' as exposure,
    count(*) as open_statements
  from public_policy_statements
  where (principal_text = '*' or regexp_matches(principal_text, '"AWS":\[?"\*"'))
    and not list_bool_or([contains(condition_text, '"' || k || '"') for k in getvariable('restricting_condition_keys')::varchar[]])
  group by event_id
),
access_blocks as (
  select
    *,
    case when action like '%Account%' then 'account public access block' else 'bucket public access block' end as exposure,
    case
      when action like 'Delete%' then ['all settings (block deleted)']
      else [k for k in ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']
        if lower(coalesce(request->>('$.PublicAccessBlockConfiguration.' || k), request->>('$.publicAccessBlockConfiguration.' || k), 'true')) = 'false']
    end as settings_off
  from s3_access_changes
  where action in ['PutBucketPublicAccessBlock', 'PutPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'DeletePublicAccessBlock',
    'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock']
),
exposures as (
  select event_id, event_time, actor, account, region, source_ip, action, resource, exposure,
    format('{} granted {} on bucket {} through {}', actor, array_to_string(grantees, ' and '), resource, action) as summary
  from acl_grants
  where len(grantees) > 0
  union all
  select event_id, event_time, actor, account, region, source_ip, action, resource, exposure,
    format('{} put a policy on bucket {} with {} statement(s) allowing any principal without a restricting condition', actor, resource, open_statements) as summary
  from open_policies
  union all
  select event_id, event_time, actor, account, region, source_ip, action,
    case when exposure like 'account%' then account else resource end as resource, exposure,
    format('{} turned off the {} ({}) for {}', actor, exposure, array_to_string(settings_off, ', '),
      case when exposure like 'account%' then 'account ' || account else 'bucket ' || resource end) as summary
  from access_blocks
  where len(settings_off) > 0
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  summary,
  [event_id] as evidence,
  exposure
from exposures
order by event_time
