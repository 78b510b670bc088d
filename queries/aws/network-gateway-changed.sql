-- ---
-- id: aws/network-gateway-changed
-- title: Network gateway changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.007]
-- controls:
--   cis_aws_v4.0.0: ['4.12']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   An internet or customer gateway was created, attached, detached or deleted: the paths traffic takes
--   in and out of a VPC.
-- remediation: >
--   Confirm the gateway change; an unexpected internet gateway can expose private subnets, a customer
--   gateway can open a VPN path.
-- false_positives:
--   - VPC provisioning by infrastructure-as-code.
-- params: {}
-- ---
with network_gateway_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.internetGatewayId', raw->>'$.responseElements.internetGateway.internetGatewayId', raw->>'$.requestParameters.customerGatewayId', raw->>'$.responseElements.customerGateway.customerGatewayId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action in ['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway']
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
  format('{} changed a network gateway: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from network_gateway_changed_events
order by event_time
