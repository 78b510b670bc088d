-- ---
-- id: aws/no-mfa-login-then-keys-then-logging
-- title: Console login without MFA, then new access keys, then logging changed
-- severity: critical
-- sources: [aws]
-- attack: [T1078.004, T1098.001, T1562.008]
-- controls:
--   cis_aws_v4.0.0: ['4.2', '4.5']
--   nist_800_53_r5: ['SI-4', 'AU-6']
-- method: sequence
-- keys: [actor, account]
-- description: >
--   The same IAM user (or root) signs in to the console without MFA (federated and SAML-provider sign-ins
--   excluded, as in aws/console-login-without-mfa), creates an access key or login profile,
--   and then stops, deletes or reconfigures CloudTrail, AWS Config or GuardDuty, all within max_hours.
--   Each step alone is common; in this order it is the classic takeover: get in, persist, blind the
--   defenders. The last step must fall in the window; earlier steps may precede it by up to max_hours.
-- remediation: >
--   Disable the new keys, restore logging, reset the user's password and require MFA; then review
--   everything the principal did in the sequence's span.
-- false_positives:
--   - An administrator without MFA rebuilding an account (still worth a conversation).
-- params:
--   max_hours: 6
-- ---
with sequence_steps as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    case
      -- The same sign-ins as aws/console-login-without-mfa: IAM users and root, not federated ones
      -- (their MFA is the identity provider's, and CloudTrail records MFAUsed No for all of them).
      when action = 'ConsoleLogin' and outcome = 'success' and mfa = false
        and (raw->>'$.userIdentity.type') in ['IAMUser', 'Root']
        and (try_cast(raw->>'$.additionalEventData' as json)->>'$.SamlProviderArn') is null then 1
      when action in ['CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile'] and outcome = 'success' then 2
      when outcome = 'success'
        and ((service = 'cloudtrail.amazonaws.com' and action in ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'])
          or (service = 'config.amazonaws.com' and action in ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'])
          or (service = 'guardduty.amazonaws.com' and action in ['DeleteDetector', 'UpdateDetector']))
        then 3
    end as step
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')::timestamptz - to_hours(getvariable('max_hours')::integer)
    and event_time < getvariable('window_end')
    -- Every step's actions, as one filter pushed into the scan: raw is read for these rows only.
    and outcome = 'success'
    and action in ['ConsoleLogin', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'StopLogging', 'DeleteTrail',
      'UpdateTrail', 'PutEventSelectors', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel',
      'DeleteDetector', 'UpdateDetector']
),
logins_without_mfa as (
  select * from sequence_steps where step = 1
),
credential_creations as (
  select * from sequence_steps where step = 2
),
logging_changes as (
  select * from sequence_steps where step = 3 and event_time >= getvariable('window_start')
),
-- Each credential creation with the latest sign-in before it, then each logging change with the
-- latest of those creations before it: ASOF joins, linear in the steps. The latest creation also
-- carries the latest possible sign-in, so one row per change is all the old three-way join (which
-- grew with the cube of a principal's steps) ever kept.
credentials_after_login as (
  select
    c.*,
    l.event_id as login_id,
    l.event_time as login_time,
    l.region as login_region,
    l.source_ip as login_ip
  from credential_creations as c
  asof join logins_without_mfa as l
    on l.actor = c.actor
    and l.account = c.account
    and c.event_time > l.event_time
),
matched_sequences as (
  select
    c.login_time as event_time,
    g.actor,
    g.account,
    c.login_region as region,
    c.login_ip as source_ip,
    c.action as credential_action,
    c.resource as credential_user,
    g.action as logging_action,
    g.resource as resource,
    g.event_time as last_time,
    [c.login_id, c.event_id, g.event_id] as evidence
  from logging_changes as g
  asof join credentials_after_login as c
    on c.actor = g.actor
    and c.account = g.account
    and g.event_time > c.event_time
  where g.event_time <= c.login_time + to_hours(getvariable('max_hours')::integer)
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  logging_action as action,
  resource,
  format('{} signed in without MFA at {}, then {} ({}), then {} on {} at {}', actor, strftime(event_time, '%H:%M'), credential_action, coalesce(credential_user, 'own user'), logging_action, coalesce(resource, '?'), strftime(last_time, '%H:%M')) as summary,
  evidence
from matched_sequences
order by event_time
