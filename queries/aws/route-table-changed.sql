-- ---
-- id: aws/route-table-changed
-- title: Route table changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.007]
-- controls:
--   cis_aws_v4.0.0: ['4.13']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A route or route table was created, replaced, deleted or re-associated. Routes decide whether
--   traffic can reach the internet, a peer or an inspection appliance.
-- remediation: >
--   Confirm the route change; look for new 0.0.0.0/0 routes to gateways or instances.
-- false_positives:
--   - VPC provisioning by infrastructure-as-code.
--   - Transit gateway automation propagating routes.
-- params: {}
-- ---
with route_table_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.routeTableId', raw->>'$.responseElements.routeTable.routeTableId', raw->>'$.requestParameters.associationId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action in ['CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable']
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
  format('{} changed routing: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from route_table_changed_events
order by event_time
