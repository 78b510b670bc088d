-- ---
-- id: all/new-source-network
-- title: Established principal seen from a new network
-- severity: low
-- sources: [aws, gcp, azure]
-- attack: [T1078.004]
-- controls:
--   nist_800_53_r5: ['AC-2(12)', 'SI-4']
-- method: new_value
-- keys: [actor, account, network]
-- description: >
--   A principal with at least min_history_events events in the baseline_days before window_start acting
--   from an IPv4 /24 (or, for IPv6, a /48) it did not use in that period. Only the whole UTC days
--   before window_start's day are the baseline (the activity profile), so the judged window never vouches for itself. Service names recorded
--   as source (ec2.amazonaws.com, private, gce-internal-ip) are ignored. A network that at least
--   min_org_principals principals (any cloud) used in the same baseline days is the organization's own
--   (an office, a VPN egress) and not reported, so a person's first day there is not news (nor is an
--   attacker inside it); 0 reports those too.
-- remediation: >
--   Check the new network's owner and whether the principal's owner is travelling or on a new
--   connection; combined with other findings, treat as credential theft.
-- false_positives:
--   - Users on new ISPs, mobile networks or travelling.
--   - CI runners whose egress addresses change.
-- params:
--   baseline_days: 30
--   min_history_events: 20
--   min_org_principals: 5
-- ---
with judged_addresses as (
  -- Each distinct address of the window classified once (network_of is a regex), not every event.
  select
    source_ip,
    network_of(source_ip) as network
  from (
    select distinct source_ip
    from events
    where event_time >= getvariable('window_start')
      and event_time < getvariable('window_end')
      and actor is not null
      and actor_type is distinct from 'service'
      and source_ip is not null
  )
  where network_of(source_ip) is not null
),
judged_networks as (
  select
    e.actor,
    e.account,
    a.network,
    min(e.event_time) as event_time,
    arg_min(e.source_ip, e.event_time) as source_ip,
    arg_min(e.region, e.event_time) as region,
    arg_min(e.action, e.event_time) as action,
    count(*) as events,
    arg_min(e.event_id, e.event_time, 20) as evidence
  from events as e
  join judged_addresses as a
    on a.source_ip = e.source_ip
  where e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
    and e.actor is not null
    and e.actor_type is distinct from 'service'
  group by e.actor, e.account, a.network
),
-- History from the activity profile (docs/detection.md): the whole UTC days before the window's
-- first day, so the judged window never vouches for itself; only the principals being judged.
baseline_networks as (
  select
    a.actor,
    a.account,
    sum(a.events) as history_events,
    list_distinct(flatten(list(a.networks))) as known_networks
  from activity_days as a
  semi join judged_networks as j
    on j.actor = a.actor
    and j.account = a.account
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
  group by a.actor, a.account
),
-- Networks the organization already works from: used by at least min_org_principals principals in
-- the same baseline days (an office or VPN egress). A person's first day at the office is not news.
org_networks as (
  select
    n.network
  from (
    select
      a.identity,
      unnest(a.networks) as network
    from activity_days as a
    where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
      and a.day < getvariable('window_start')::timestamptz::date
      and getvariable('min_org_principals') > 0
  ) as n
  semi join judged_networks as j
    on j.network = n.network
  group by n.network
  having count(distinct n.identity) >= getvariable('min_org_principals')
)
select
  j.event_time,
  j.actor,
  j.account,
  j.region,
  j.source_ip,
  j.action,
  null::varchar as resource,
  format('{} acted from new network {} ({} events) after {} events from {} known network(s) in the previous {} days',
    j.actor, j.network, j.events, b.history_events, len(b.known_networks), getvariable('baseline_days')) as summary,
  j.evidence,
  j.network
from judged_networks as j
join baseline_networks as b
  on b.actor = j.actor
  and b.account = j.account
where b.history_events >= getvariable('min_history_events')
  and not list_contains(b.known_networks, j.network)
  and j.network not in (select network from org_networks)
order by j.event_time
