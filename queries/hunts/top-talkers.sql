-- ---
-- id: top-talkers
-- title: Top talkers by API volume
-- sources: [aws, gcp, azure]
-- description: >
--   The principals that made the most calls in the window, with their share of all events, how many
--   distinct actions they used, how many failed, and their three most frequent actions. A good first
--   look at a new store, and at a window where something was noisy.
-- params:
--   top:
--     type: integer
--     description: how many principals to show
--     default: 20
--   source:
--     type: string
--     description: only this cloud (aws, gcp, azure); % for all
--     default: '%'
-- examples:
--   - auditlake hunt top-talkers --since 2026-11-01 --until 2026-11-02
--   - auditlake hunt top-talkers --param source=gcp --param top=5
-- ---
with window_events as (
  select source, actor, actor_type, action, outcome, event_time
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and source like getvariable('source')
),
action_counts as (
  select source, actor, action, count(*) as n
  from window_events
  group by all
),
top_actions as (
  select source, actor, list(action order by n desc, action)[1:3] as top_actions
  from action_counts
  group by all
)
select
  row_number() over (order by count(*) desc, w.actor) as rank,
  w.actor,
  w.source,
  any_value(w.actor_type) as actor_type,
  count(*) as events,
  round(100.0 * count(*) / sum(count(*)) over (), 2) as percent_of_all,
  count(distinct w.action) as distinct_actions,
  count(*) filter (where w.outcome = 'failure') as failures,
  min(w.event_time) as first_seen,
  max(w.event_time) as last_seen,
  any_value(t.top_actions) as top_actions
from window_events w
left join top_actions t
  on t.source = w.source
  and t.actor is not distinct from w.actor
group by w.actor, w.source
qualify rank <= getvariable('top')
order by rank
