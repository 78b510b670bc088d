-- ---
-- id: aws/credentials-created-for-other-user
-- title: Access key or console password created for another IAM user
-- severity: high
-- sources: [aws]
-- attack: [T1098.001]
-- controls:
--   nist_800_53_r5: ['AC-2', 'IA-5']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   CreateAccessKey, CreateLoginProfile or UpdateLoginProfile naming a user other than the caller.
--   Creating credentials for someone else lets an attacker act as that user and persist after their own
--   access is removed; users rotating their own keys are not reported.
-- remediation: >
--   Confirm with the user named and the caller. Delete unexpected keys and reset the login profile.
-- false_positives:
--   - Administrators or onboarding automation issuing first credentials to new users.
-- params: {}
-- ---
with credential_creations as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw->>'$.requestParameters.userName' as resource,
    coalesce(raw->>'$.userIdentity.userName', regexp_extract(actor, '[^/]+$')) as caller_name
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'iam.amazonaws.com'
    and action in ['CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile']
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
  format('{} called {} for another user, {}', actor, action, resource) as summary,
  [event_id] as evidence
from credential_creations
where resource is not null
  and resource <> coalesce(caller_name, '')
order by event_time
