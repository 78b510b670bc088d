-- ---
-- id: access-key-activity
-- title: Everything done with one AWS access key
-- sources: [aws]
-- description: >
--   Every call signed with the access key id (a long-term AKIA key or a temporary ASIA session key),
--   with who it belonged to and from where it was used: the first question when a key shows up in
--   a leak, a repository or a GuardDuty finding.
-- params:
--   access_key_id:
--     type: string
--     description: the access key id, e.g. AKIAIOSFODNN7EXAMPLE
-- examples:
--   - auditlake hunt access-key-activity --param access_key_id=AKIAIOSFODNN7EXAMPLE
-- ---
select
  event_time,
  account,
  region,
  actor,
  action,
  outcome,
  error_code,
  source_ip,
  user_agent,
  resources,
  event_id
from events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and source = 'aws'
  and (details ->> '$.access_key_id') = getvariable('access_key_id')
order by event_time, event_id
