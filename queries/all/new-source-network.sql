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
--   as source (ec2.amazonaws.com, private, gce-internal-ip) are ignored.
-- remediation: >
--   Check the new network's owner and whether the principal's owner is travelling or on a new
--   connection; combined with other findings, treat as credential theft.
-- false_positives:
--   - Users on new ISPs, mobile networks or travelling.
--   - CI runners whose egress addresses change.
-- params:
--   baseline_days: 30
--   min_history_events: 20
-- ---
with judged_networks as (
  select
    actor,
    account,
    network_of(source_ip) as network,
    min(event_time) as event_time,
    arg_min(source_ip, event_time) as source_ip,
    arg_min(region, event_time) as region,
    arg_min(action, event_time) as action,
    count(*) as events,
    arg_min(event_id, event_time, 20) as evidence
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor is not null
    and actor_type is distinct from 'service'
    and network_of(source_ip) is not null
  group by actor, account, network
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
order by j.event_time
