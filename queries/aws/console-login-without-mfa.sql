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
--   (additionalEventData.MFAUsed = No). Federated sign-ins are excluded, whatever principal CloudTrail
--   records them under: IAM Identity Center and SAML/web-identity sessions (AssumedRole, SAMLUser,
--   WebIdentityUser) and any sign-in that carries additionalEventData.SamlProviderArn (a SAML assertion
--   signed the user in, so MFA was the identity provider's to enforce). CloudTrail records MFAUsed No
--   for all of them, because AWS did not ask for MFA itself.
-- remediation: >
--   Require MFA for the user (an IAM policy denying actions without aws:MultiFactorAuthPresent, or move
--   the user to IAM Identity Center) and confirm the sign-in was theirs.
-- false_positives:
--   - IAM users still being onboarded to MFA.
--   - Break-glass users whose MFA device is held in a safe and used under a documented procedure.
--   - Federated sign-ins whose identity provider skips MFA are not reported here; check MFA at the IdP.
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
    and (raw->>'$.userIdentity.type') in ['IAMUser', 'Root']
    -- additionalEventData may be an object or JSON text inside a string; the cast reads both.
    and (try_cast(raw->>'$.additionalEventData' as json)->>'$.SamlProviderArn') is null
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
