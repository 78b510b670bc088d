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
--   before window_start's day (whole UTC days, from the activity profile) is the baseline, so the judged
--   window never vouches for itself.
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
with judged_events as (
  select
    event_id,
    event_time,
    source,
    actor,
    account,
    source_ip,
    action,
    region_key(source, region) as region,
    identity_of(actor, actor_type, actor_issuer) as identity
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
    and region_key(source, region) is not null
    and outcome = 'success'
),
judged_regions as (
  select
    source,
    identity,
    region,
    count(*) as events
  from judged_events
  group by source, identity, region
),
-- History from the activity profile (docs/detection.md): the whole UTC days before the window's
-- first day, so the judged window never vouches for itself; only the principals being judged.
baseline_regions as (
  select
    a.source,
    a.identity,
    sum(a.successes) as history_events,
    count(distinct a.day) filter (where a.successes > 0) as active_days,
    list_distinct(flatten(list(a.regions))) as known_regions
  from activity_days as a
  semi join judged_regions as j
    on j.source = a.source
    and j.identity = a.identity
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
  group by a.source, a.identity
)
,
-- Only the pairs the baseline does not know are judged further, and only their events' raw records
-- are read (is_write_action): reading raw for the whole window would be most of the cost.
new_regions as (
  select
    j.source,
    j.identity,
    j.region,
    b.history_events,
    b.known_regions
  from judged_regions as j
  join baseline_regions as b
    on b.source = j.source
    and b.identity = j.identity
  where b.history_events >= getvariable('min_history_events')
    and b.active_days >= getvariable('min_active_days')
    and j.events >= getvariable('min_events')
    and not list_contains(b.known_regions, j.region)
),
new_region_candidates as materialized (
  select
    j.*
  from judged_events as j
  semi join new_regions as n
    on n.source = j.source
    and n.identity = j.identity
    and n.region = j.region
),
new_region_events as (
  select
    c.*,
    is_write_action(c.source, c.action, e.raw) as is_write
  from new_region_candidates as c
  join events as e
    on e.event_id = c.event_id
    and e.source = c.source
  where e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
),
new_region_calls as (
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
    arg_min(event_id, event_time, 50) as evidence
  from new_region_events
  group by source, identity, region
)
select
  c.event_time,
  c.actor,
  c.account,
  c.region,
  c.source_ip,
  c.action,
  null::varchar as resource,
  format('{} made {} calls ({} changes, first change {}) in region {}, new for it after {} events in {} in the previous {} days',
    c.identity, c.events, c.write_events, c.action, c.region, n.history_events,
    array_to_string(list_sort(n.known_regions), ', '), getvariable('baseline_days')) as summary,
  c.evidence,
  c.identity,
  c.events,
  c.write_events
from new_region_calls as c
join new_regions as n
  on n.source = c.source
  and n.identity = c.identity
  and n.region = c.region
where c.write_events >= getvariable('min_write_events')
order by c.event_time
