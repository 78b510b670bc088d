-- ---
-- id: aws/vpc-changed
-- title: VPC changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.007]
-- controls:
--   cis_aws_v4.0.0: ['4.14']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A VPC was created, deleted or modified, or a peering connection was requested, accepted, rejected or
--   deleted. Peering joins networks, possibly with another account.
-- remediation: >
--   Confirm the change; for peering, confirm the peer account and VPC are yours.
-- false_positives:
--   - Network provisioning by infrastructure-as-code.
-- params: {}
-- ---
with vpc_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.vpcId', raw->>'$.responseElements.vpc.vpcId', raw->>'$.requestParameters.vpcPeeringConnectionId', raw->>'$.responseElements.vpcPeeringConnection.vpcPeeringConnectionId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action in ['CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'DisableVpcClassicLink', 'EnableVpcClassicLink']
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
  format('{} changed a VPC: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from vpc_changed_events
order by event_time
