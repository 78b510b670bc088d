-- ---
-- id: all/new-region
-- title: Established principal active in a region it has never used
-- severity: medium
-- sources: [aws, gcp, azure]
-- attack: [T1535, T1578, T1496]
-- controls:
--   nist_800_53_r5: ['AC-2(12)', 'SI-4', 'CM-7']
-- method: new_value
-- keys: [identity, account, region]
-- description: >
--   A principal with at least min_history_events events on at least min_active_days days in the baseline_days
--   before window_start makes at least min_events calls (min_write_events of them changes, not reads) in a
--   region it did not use in that period. Attackers start miners and hide resources in regions nobody
--   watches. Regions are compared per cloud, lowercased without spaces (Azure 'West Europe' = 'westeurope'),
--   GCP zones folded into their region (europe-west1-b -> europe-west1); 'global' and calls without a region
--   are ignored. The principal is the person behind a role session when the session is named after one,
--   else the role (rotating workload session names share one history), else the actor. Only the time
--   before window_start is the baseline, so the judged window never vouches for itself.
-- remediation: >
--   Check what was created in the region (instances, functions, keys) and whether the organisation uses it at
--   all; deny unused regions with an SCP or organisation policy.
-- false_positives:
--   - A team expanding to a new region, or disaster-recovery tests.
--   - "People switching the console region by mistake (reads only: min_write_events filters them)."
-- params:
--   baseline_days: 30
--   min_history_events: 50
--   min_active_days: 5
--   min_events: 3
--   min_write_events: 1
-- ---
with identified_events as (
  select
    event_id,
    event_time,
    source,
    actor,
    account,
    source_ip,
    action,
    case
      when source = 'aws' then not coalesce(try_cast(raw->>'$.readOnly' as boolean), regexp_matches(action, '^(Get|List|Describe|Head|Lookup|Search|Batch(Get|Describe))'))
      when source = 'gcp' then not regexp_matches(lower(action), '\.(get|list|search|lookup|watch|aggregatedlist|testiampermissions)[a-z]*$|\.(get|list)[a-z]*$|\.(get|list|search)$')
      else not regexp_matches(lower(action), '/read$|/list[a-z]*/action$')
    end as is_write,
    case
      when source = 'gcp' then regexp_replace(lower(region), '^([a-z]+-[a-z]+[0-9]+)-[a-z]$', '\1')
      else lower(replace(region, ' ', ''))
    end as region,
    case
      when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' and regexp_extract(actor, '[^/]+$') like '%@%'
        then lower(regexp_extract(actor, '[^/]+$'))
      when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' then actor_issuer
      when actor like '%@%' then lower(actor)
      else actor
    end as identity
  from events
  where event_time >= getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer)
    and event_time < getvariable('window_end')
    and actor is not null
    and region is not null
    and lower(region) not in ('global', '')
    and outcome = 'success'
),
baseline_regions as (
  select
    source,
    identity,
    count(*) as history_events,
    count(distinct event_time::date) as active_days,
    list(distinct region) as known_regions
  from identified_events
  where event_time < getvariable('window_start')
  group by source, identity
),
judged_regions as (
  select
    source,
    identity,
    region,
    min(event_time) as event_time,
    arg_min(actor, event_time) as actor,
    arg_min(account, event_time) as account,
    mode(source_ip) as source_ip,
    coalesce(arg_min(action, event_time) filter (where is_write), arg_min(action, event_time)) as action,
    count(*) as events,
    count(*) filter (where is_write) as write_events,
    list(event_id order by event_time)[1:50] as evidence
  from identified_events
  where event_time >= getvariable('window_start')
  group by source, identity, region
)
select
  j.event_time,
  j.actor,
  j.account,
  j.region,
  j.source_ip,
  j.action,
  null::varchar as resource,
  format('{} made {} calls ({} changes, first change {}) in region {}, new for it after {} events in {} in the previous {} days',
    j.identity, j.events, j.write_events, j.action, j.region, b.history_events,
    array_to_string(list_sort(b.known_regions), ', '), getvariable('baseline_days')) as summary,
  j.evidence,
  j.identity,
  j.events,
  j.write_events
from judged_regions as j
join baseline_regions as b
  on b.source = j.source
  and b.identity = j.identity
where b.history_events >= getvariable('min_history_events')
  and b.active_days >= getvariable('min_active_days')
  and j.events >= getvariable('min_events')
  and j.write_events >= getvariable('min_write_events')
  and not list_contains(b.known_regions, j.region)
order by j.event_time
