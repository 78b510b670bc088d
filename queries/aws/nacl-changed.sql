-- ---
-- id: aws/nacl-changed
-- title: Network ACL changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.007]
-- controls:
--   cis_aws_v4.0.0: ['4.11']
--   nist_800_53_r5: ['CM-3', 'AU-6']
-- method: match
-- keys: [actor, account, action, resource]
-- description: >
--   A network ACL or one of its entries was created, replaced or deleted, or a subnet moved to another
--   ACL. NACLs are the stateless subnet firewall.
-- remediation: >
--   Confirm the change; look for allow entries from 0.0.0.0/0 with low rule numbers.
-- false_positives:
--   - VPC provisioning by infrastructure-as-code.
-- params: {}
-- ---
with nacl_changed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    coalesce(raw->>'$.requestParameters.networkAclId', raw->>'$.responseElements.networkAcl.networkAclId', resources[1]) as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'ec2.amazonaws.com'
    and action in ['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation']
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
  format('{} changed a network ACL: {} on {}', actor, action, coalesce(resource, 'an unnamed resource')) as summary,
  [event_id] as evidence
from nacl_changed_events
order by event_time
