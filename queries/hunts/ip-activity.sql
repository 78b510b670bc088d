-- ---
-- id: ip-activity
-- title: Everything from one IP address
-- sources: [aws, gcp, azure]
-- description: >
--   Every event whose source address is the IP (or matches a pattern such as '203.0.113.%'), across
--   clouds in time order, with who used it. Addresses are compared as recorded, so service names
--   that CloudTrail puts there ('ec2.amazonaws.com') can be hunted too.
-- params:
--   ip:
--     type: string
--     description: the source address as recorded; % and _ are wildcards ('203.0.113.%')
--   max_rows:
--     type: integer
--     description: at most this many events (the latest ones)
--     default: 1000
-- examples:
--   - auditlake hunt ip-activity --param ip=203.0.113.50
--   - auditlake hunt ip-activity --param 'ip=203.0.113.%' --format csv
-- ---
with matching_events as (
  select
    event_time,
    source,
    account,
    source_ip,
    actor,
    actor_type,
    action,
    outcome,
    error_code,
    user_agent,
    resources,
    event_id
  from events
  where event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and source_ip like getvariable('ip')
  order by event_time desc, event_id desc
  limit getvariable('max_rows')
)
select *
from matching_events
order by event_time, event_id
