-- ---
-- id: all/new-user-agent-family
-- title: Established principal using a client it has never used before
-- severity: low
-- sources: [aws, gcp, azure]
-- attack: [T1078.004, T1059.009]
-- controls:
--   nist_800_53_r5: ['AC-2(12)', 'SI-4']
-- method: new_value
-- keys: [identity, account, ua_family]
-- description: >
--   A principal with at least min_history_events events on at least min_active_days days in the baseline_days
--   before window_start makes at least min_events calls with a user-agent family it did not use in that
--   period. The family drops versions and platform details: browser, aws-cli, boto3, aws-sdk-go, terraform,
--   gcloud, kubectl, python-requests, curl ... so upgrades do not count as new. Calls that AWS services make on
--   a principal's behalf (user agent *.amazonaws.com, AWS Internal) are ignored. The principal is the person
--   behind a role session when the session is named after one, else the role (rotating workload session
--   names share one history), else the actor, per cloud. With only_from_new_networks (the default) the new
--   client must also come, at least in part, from an IPv4 /24 or IPv6 /48 the principal did not use in the
--   baseline: a person trying a new tool at their usual desk is not worth a finding, the same credentials
--   in a new tool on a new network are. Only the whole UTC days before window_start's day are the baseline
--   (the activity profile), so the judged window never vouches for itself.
-- remediation: >
--   A person who only used the console suddenly scripting with an SDK or curl, or a workload whose client
--   changes, suggests its credentials are used elsewhere: check the source address and what was called.
-- false_positives:
--   - Engineers adopting a new tool (the first Terraform or SDK run) while travelling or on a new connection.
--   - Workloads rewritten in another language or SDK.
-- params:
--   baseline_days: 30
--   min_history_events: 50
--   min_active_days: 5
--   min_events: 3
--   only_from_new_networks: true
-- ---
with judged_agents as (
  -- Each distinct user agent of the window classified once (a day has hundreds), not every event.
  select
    user_agent,
    client_family(user_agent) as ua_family
  from (
    select distinct user_agent
    from events
    where event_time >= getvariable('window_start')
      and event_time < getvariable('window_end')
      and actor is not null
      and user_agent is not null
  )
  where client_family(user_agent) is not null
),
judged_events as (
  select
    e.event_id,
    e.event_time,
    e.source,
    e.actor,
    e.account,
    e.region,
    e.source_ip,
    e.action,
    e.user_agent,
    identity_of(e.actor, e.actor_type, e.actor_issuer) as identity,
    a.ua_family
  from events as e
  join judged_agents as a
    on a.user_agent = e.user_agent
  where e.event_time >= getvariable('window_start')
    and e.event_time < getvariable('window_end')
    and e.actor is not null
),
judged_families as (
  select
    source,
    identity,
    ua_family,
    min(event_time) as event_time,
    arg_min(actor, event_time) as actor,
    arg_min(account, event_time) as account,
    arg_min(region, event_time) as region,
    arg_min(source_ip, event_time) as source_ip,
    arg_min(action, event_time) as action,
    arg_min(user_agent, event_time) as user_agent,
    count(*) as events,
    -- networks of the distinct addresses, as the activity profile keeps them (null when none)
    nullif(list_distinct(list_transform(list(distinct source_ip) filter (where source_ip is not null), ip -> network_of(ip))), []) as networks,
    arg_min(event_id, event_time, 50) as evidence
  from judged_events
  group by source, identity, ua_family
),
-- History from the activity profile (docs/detection.md): the whole UTC days before the window's
-- first day, so the judged window never vouches for itself; only the principals being judged.
baseline_families as (
  select
    a.source,
    a.identity,
    sum(a.events) as history_events,
    count(distinct a.day) as active_days,
    list_distinct(flatten(list(a.client_families))) as known_families,
    list_distinct(flatten(list(a.networks))) as known_networks
  from activity_days as a
  semi join judged_families as j
    on j.source = a.source
    and j.identity = a.identity
  where a.day >= (getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer))::date
    and a.day < getvariable('window_start')::timestamptz::date
  group by a.source, a.identity
)
select
  j.event_time,
  j.actor,
  j.account,
  j.region,
  j.source_ip,
  j.action,
  null::varchar as resource,
  format('{} used client family {} for the first time ({} calls, "{}", from {}) after {} events with {} in the previous {} days',
    j.identity, j.ua_family, j.events, left(j.user_agent, 80), array_to_string(j.networks, ', '), b.history_events,
    coalesce(nullif(array_to_string(list_sort(b.known_families), ', '), ''), 'no recorded client'), getvariable('baseline_days')) as summary,
  j.evidence,
  j.identity,
  j.ua_family,
  j.events
from judged_families as j
join baseline_families as b
  on b.source = j.source
  and b.identity = j.identity
where b.history_events >= getvariable('min_history_events')
  and b.active_days >= getvariable('min_active_days')
  and j.events >= getvariable('min_events')
  and not list_contains(coalesce(b.known_families, []), j.ua_family)
  and (not getvariable('only_from_new_networks')
    or len(list_filter(j.networks, n -> not list_contains(coalesce(b.known_networks, []), n))) > 0)
order by j.event_time
