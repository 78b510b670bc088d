-- ---
-- id: aws/security-group-changed
-- title: Security group changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.007]
-- controls:
--   cis_aws_v4.0.0: ['4.10']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A security group was created or deleted, or its ingress or egress rules changed. Security groups are
--   the instance firewall; the public exposure detector looks at what was opened.
-- remediation: >
--   Confirm the change; check new ingress rules for wide sources and the instances the group is attached
--   to.
-- false_positives:
--   - Auto Scaling, EKS and load balancer controllers creating groups; tune by actor.
--   - Dry runs are excluded (they fail with DryRunOperation).
-- params: {}
-- ---
with security_group_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.groupId', raw->>'$.responseElements.groupId', raw->>'$.requestParameters.groupName', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action in ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules']
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
  format('{} changed a security group: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from security_group_changed_events
order by event_time
