-- ---
-- id: aws/console-login-without-mfa
-- title: Console sign-in without MFA
-- severity: medium
-- sources: [aws]
-- attack: [T1078.004]
-- controls:
--   cis_aws_v4.0.0: ['4.2']
--   nist_800_53_r5: ['IA-2(1)']
-- method: match
-- keys: [actor, account]
-- description: >
--   A successful AWS console sign-in by an IAM user or the root user that did not use MFA
--   (additionalEventData.MFAUsed = No). Federated and IAM Identity Center sign-ins are excluded: their
--   MFA happens at the identity provider and CloudTrail always records MFAUsed No for them.
-- remediation: >
--   Require MFA for the user (an IAM policy denying actions without aws:MultiFactorAuthPresent, or move
--   the user to IAM Identity Center) and confirm the sign-in was theirs.
-- false_positives:
--   - IAM users still being onboarded to MFA.
--   - Break-glass users whose MFA device is held in a safe and used under a documented procedure.
-- params: {}
-- ---
with console_logins_without_mfa as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    (raw->>'$.additionalEventData.LoginTo') as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and action = 'ConsoleLogin'
    and outcome = 'success'
    and mfa = false
    and (raw->>'$.userIdentity.type') in ('IAMUser', 'Root')
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} signed in to the console without MFA from {}', actor, source_ip) as summary,
  [event_id] as evidence
from console_logins_without_mfa
order by event_time
