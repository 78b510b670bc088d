-- ---
-- id: all/network-logging-disabled
-- title: Network flow or DNS query logging deleted or disabled
-- severity: high
-- sources: [aws, gcp, azure]
-- attack: [T1562.008]
-- controls:
--   soc2_2017: ['CC7.2']
--   iso27001_2022: ['A.8.15', 'A.8.16']
--   nist_800_53_r5: ['AU-9', 'SI-4']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   The network telemetry an investigation relies on is switched off: VPC flow logs deleted
--   (DeleteFlowLogs) or Route 53 Resolver query logging deleted or detached from a VPC on AWS; flow
--   logs disabled on a subnet (subnetworks.patch with logConfig.enable or enableFlowLogs false) on
--   Google Cloud; a network watcher flow log deleted on Azure. Attackers do this before moving data
--   out so the connections leave no trace. A DeleteFlowLogs followed within teardown_minutes by the
--   same principal's DeleteVpc is a VPC being torn down (the flow logs go with it) and is not
--   reported.
-- remediation: >
--   Re-enable the flow or query logging, then review what the principal did around that time,
--   network changes and data access first.
-- false_positives:
--   - Cost-driven clean-ups of flow logs in non-production accounts.
--   - "A VPC torn down after the end of the judged window: its DeleteVpc is not seen yet."
-- params:
--   teardown_minutes: 30
-- ---
with network_logging_events as (
  -- One scan per kind of change rather than one OR across columns: each filter is pushed into its
  -- scan (the window too), so raw is read for these rows only (docs/detector-format.md).
  select *
  from events
  where source = 'aws'
    and service = 'ec2.amazonaws.com'
    and action = 'DeleteFlowLogs'
  union all
  select *
  from events
  where source = 'aws'
    and service = 'route53resolver.amazonaws.com'
    and action in ['DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig']
  union all
  select *
  from events
  where source = 'gcp'
    and service = 'compute.googleapis.com'
    and action ilike '%.subnetworks.patch'
  union all
  select *
  from events
  where source = 'azure'
    and lower(action) = 'microsoft.network/networkwatchers/flowlogs/delete'
),
logging_changes as (
  select
    event_id,
    event_time,
    source,
    actor,
    account,
    region,
    source_ip,
    action,
    case
      when action = 'DeleteFlowLogs' then coalesce(
        raw->>'$.requestParameters.DeleteFlowLogsRequest.FlowLogId.content',
        raw->>'$.requestParameters.DeleteFlowLogsRequest.FlowLogId[0].content',
        resources[1])
      when source = 'aws' then coalesce(
        raw->>'$.requestParameters.resolverQueryLogConfigId',
        raw->>'$.responseElements.resolverQueryLogConfig.id',
        resources[1])
      else resources[1]
    end as resource,
    case
      when source = 'gcp' then coalesce(
        lower(raw->>'$.protoPayload.request.logConfig.enable') = 'false',
        lower(raw->>'$.protoPayload.request.enableFlowLogs') = 'false',
        false)
      else true
    end as disables
  from network_logging_events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and outcome = 'success'
),
vpc_teardowns as (
  select
    actor,
    account,
    event_time
  from events
  where source = 'aws'
    and service = 'ec2.amazonaws.com'
    and action = 'DeleteVpc'
    and outcome = 'success'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')::timestamptz + to_minutes(getvariable('teardown_minutes')::integer)
)
select
  c.event_time,
  c.actor,
  c.account,
  c.region,
  c.source_ip,
  c.action,
  c.resource,
  format('{} turned network logging off: {} on {}', c.actor, c.action, coalesce(c.resource, 'an unnamed resource')) as summary,
  [c.event_id] as evidence
from logging_changes as c
where c.disables
  and not (c.action = 'DeleteFlowLogs' and exists (
    select 1
    from vpc_teardowns as t
    where t.actor = c.actor
      and t.account is not distinct from c.account
      and t.event_time >= c.event_time
      and t.event_time <= c.event_time + to_minutes(getvariable('teardown_minutes')::integer)
  ))
order by c.event_time
