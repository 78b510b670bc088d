-- ---
-- id: aws/kms-key-disabled-or-deleted
-- title: KMS key disabled or scheduled for deletion
-- severity: high
-- sources: [aws]
-- attack: [T1485, T1486]
-- controls:
--   cis_aws_v4.0.0: ['4.7']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A customer managed KMS key was disabled or scheduled for deletion. Data encrypted under it becomes
--   unreadable; an attacker can use this to destroy data or hold it to ransom.
-- remediation: >
--   Confirm the key is really unused. Cancel the deletion (CancelKeyDeletion) or re-enable the key while
--   investigating.
-- false_positives:
--   - Planned key retirement after rotation to a new key.
-- params: {}
-- ---
with kms_key_disabled_or_deleted_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.keyId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'kms.amazonaws.com'
    and action in ['DisableKey', 'ScheduleKeyDeletion']
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
  format('{} disabled or scheduled deletion of KMS key: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from kms_key_disabled_or_deleted_events
order by event_time
