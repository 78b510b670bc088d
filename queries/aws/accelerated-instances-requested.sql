-- ---
-- id: aws/accelerated-instances-requested
-- title: GPU or other accelerated EC2 instances requested
-- severity: medium
-- sources: [aws]
-- attack: [T1496.001]
-- controls:
--   soc2_2017: ['CC7.2']
--   nist_800_53_r5: ['SI-4', 'CM-7']
-- method: match
-- keys: [actor, account, region, instance_type]
-- description: >
--   RunInstances for an instance type whose family matches instance_families: GPU, machine-learning and
--   FPGA instances (p, g, inf, trn, dl, f, vt families) by default, the ones crypto-miners launch with
--   stolen credentials because they cost the victim the most per hour. Reported whether the call
--   succeeded or was denied: an attempt refused by a quota or an SCP is the same signal, and attackers
--   try region after region.
-- remediation: >
--   If nobody expected the instances, terminate them, revoke the principal's credentials and look for
--   the same requests in other regions; set an SCP that denies these families where they are not used.
-- false_positives:
--   - "Machine-learning teams and render farms: suppress their accounts or principals, or narrow instance_families."
-- params:
--   instance_families: '^(p|g|inf|trn|dl|f|vt)[0-9]+[a-z-]*\.'
-- ---
with instance_requests as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    outcome,
    error_code,
    -- the type is a string, or an object with a value in some SDKs' records
    lower(coalesce(raw->>'$.requestParameters.instanceType.value', raw->>'$.requestParameters.instanceType')) as instance_type,
    try_cast(raw->>'$.requestParameters.instancesSet.items[0].maxCount' as integer) as max_count
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action = 'RunInstances'
    -- a dry run only checks permissions
    and error_code is distinct from 'Client.DryRunOperation'
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  instance_type as resource,
  format('{} requested {} {} instance(s) in {}{}', actor, coalesce(max_count, 1), instance_type, region,
    case when outcome = 'success' then '' else format(' ({}: {})', outcome, coalesce(error_code, 'no error code')) end) as summary,
  [event_id] as evidence,
  instance_type
from instance_requests
where regexp_matches(instance_type, getvariable('instance_families'))
order by event_time
