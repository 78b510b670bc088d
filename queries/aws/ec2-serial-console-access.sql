-- ---
-- id: aws/ec2-serial-console-access
-- title: EC2 serial console access enabled or used
-- severity: high
-- sources: [aws]
-- attack: [T1021, T1098.004]
-- controls:
--   soc2_2017: ['CC6.1', 'CC6.6']
--   nist_800_53_r5: ['AC-17', 'CM-7']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   EnableSerialConsoleAccess (the account-wide setting, off by default) or SendSerialConsoleSSHPublicKey
--   (a key pushed to an instance's serial console). The serial console reaches an instance's operating
--   system without its network: security groups, NACLs and SSH daemons do not apply, so it is a way in
--   that network controls cannot see. Most accounts never use it outside a break-glass repair.
-- remediation: >
--   Disable serial console access for the account (DisableSerialConsoleAccess) unless a repair is under
--   way, and check who connected to which instance.
-- false_positives:
--   - Break-glass repair of an instance that lost its network; the change ticket should name the instance.
-- params: {}
-- ---
with serial_console_events as (
  select *
  from events
  where source = 'aws'
    and service = 'ec2.amazonaws.com'
    and action = 'EnableSerialConsoleAccess'
  union all
  select *
  from events
  where source = 'aws'
    and service = 'ec2-instance-connect.amazonaws.com'
    and action = 'SendSerialConsoleSSHPublicKey'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  case
    when action = 'EnableSerialConsoleAccess' then account
    else coalesce(raw->>'$.requestParameters.instanceId', resources[1])
  end as resource,
  case
    when action = 'EnableSerialConsoleAccess' then format('{} enabled EC2 serial console access for account {} in {}', actor, account, region)
    else format('{} pushed an SSH key to the serial console of instance {} in {}', actor,
      coalesce(raw->>'$.requestParameters.instanceId', 'unknown'), region)
  end as summary,
  [event_id] as evidence
from serial_console_events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and outcome = 'success'
order by event_time
