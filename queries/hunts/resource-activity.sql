-- ---
-- id: resource-activity
-- title: Who touched this resource
-- sources: [aws, gcp, azure]
-- description: >
--   Every principal that acted on a resource, one row per principal, action and outcome, with when
--   and how often. The resource is matched as a case-insensitive substring of the event's resource
--   names (an ARN, a bucket, a GCP resource name, an Azure resource id), so a bucket name finds its
--   ARN and its objects. With search_raw the whole original record is searched as well (slower), for
--   resources named only inside request parameters or responses.
-- params:
--   resource:
--     type: string
--     description: part of a resource name, e.g. acme-prod-billing or /virtualMachines/vm-01
--   search_raw:
--     type: boolean
--     description: also search the original record text, not only the resource names
--     default: false
-- examples:
--   - auditlake hunt resource-activity --param resource=acme-prod-billing
--   - auditlake hunt resource-activity --param resource=i-0abc123 --param search_raw=true
-- ---
with touching_events as (
  select
    event_id,
    event_time,
    source,
    account,
    actor,
    action,
    outcome,
    source_ip,
    list_filter(resources, lambda r: contains(lower(r), lower(getvariable('resource')))) as matched
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and getvariable('resource') <> ''
    and (
      len(list_filter(resources, lambda r: contains(lower(r), lower(getvariable('resource'))))) > 0
      or (getvariable('search_raw') and contains(lower(raw::varchar), lower(getvariable('resource'))))
    )
)
select
  actor,
  source,
  account,
  action,
  outcome,
  count(*) as events,
  min(event_time) as first_seen,
  max(event_time) as last_seen,
  list_sort(list_distinct(flatten(list(matched)))) as resources,
  list_sort(list_distinct(list(source_ip) filter (where source_ip is not null))) as source_ips,
  arg_min(event_id, event_time, 20) as evidence
from touching_events
group by actor, source, account, action, outcome
order by first_seen, actor, action
