-- ---
-- id: all/mfa-deactivated
-- title: MFA device deactivated or authentication method removed
-- severity: medium
-- sources: [aws, azure]
-- attack: [T1556.006]
-- controls:
--   nist_800_53_r5: ['IA-2(1)', 'AC-2']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   An IAM MFA device was deactivated or a virtual MFA device deleted, or an Entra ID user's strong
--   authentication methods were removed (by an admin or the user). Removing MFA is a step towards taking
--   over an account with only its password, or registering the attacker's own device.
-- remediation: >
--   Confirm with the user; re-register MFA and check sign-ins that followed.
-- false_positives:
--   - Users replacing a lost or new phone (a new device is usually enabled minutes later).
-- params: {}
-- ---
with mfa_removals as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.userName', raw->>'$.requestParameters.serialNumber', resources[1]) as resource
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and outcome = 'success'
    and (
      (source = 'aws' and service = 'iam.amazonaws.com' and action in ['DeactivateMFADevice', 'DeleteVirtualMFADevice'])
      or (source = 'azure' and format = 'entra_audit'
        and action in ['Admin deleted security info', 'User deleted security info', 'Disable Strong Authentication', 'Admin deleted all security info'])
    )

)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} {} for {}', actor, action, coalesce(resource, 'a user')) as summary,
  [event_id] as evidence
from mfa_removals
order by event_time
