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
--   from an IPv4 /24 (or, for IPv6, a /48) it did not use in that period. Only the time before
--   window_start is the baseline, so the judged window never vouches for itself. Service names recorded
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
with addressed_events as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    case
      when regexp_matches(source_ip, '^\d+\.\d+\.\d+\.\d+$') then regexp_extract(source_ip, '^(\d+\.\d+\.\d+)\.', 1) || '.0/24'
      when source_ip like '%:%' then array_to_string(string_split(source_ip, ':')[1:3], ':') || '::/48'
    end as network
  from events
  where event_time >= getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer)
    and event_time < getvariable('window_end')
    and actor is not null
    and actor_type is distinct from 'service'
),
baseline_networks as (
  select
    actor,
    account,
    count(*) as history_events,
    list(distinct network) filter (where network is not null) as known_networks
  from addressed_events
  where event_time < getvariable('window_start')
  group by actor, account
),
judged_networks as (
  select
    actor,
    account,
    network,
    min(event_time) as event_time,
    arg_min(source_ip, event_time) as source_ip,
    arg_min(region, event_time) as region,
    arg_min(action, event_time) as action,
    count(*) as events,
    list(event_id order by event_time)[1:20] as evidence
  from addressed_events
  where event_time >= getvariable('window_start')
    and network is not null
  group by actor, account, network
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
