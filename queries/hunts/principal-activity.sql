-- ---
-- id: principal-activity
-- title: Everything one principal did
-- sources: [aws, gcp, azure]
-- description: >
--   Every event whose actor is the principal, or whose actor was issued by it (the role behind an
--   AWS assumed-role session, the account that impersonated a GCP service account), across clouds
--   in time order. The match ignores case; % and _ are wildcards, so '%/alice@acme.example' finds
--   every AWS session named after alice.
-- params:
--   principal:
--     type: string
--     description: an actor as stored in events.actor (ARN, email, UPN, app or object id); % and _ are wildcards
--   max_rows:
--     type: integer
--     description: at most this many events (the latest ones)
--     default: 1000
-- examples:
--   - auditlake hunt principal-activity --param principal=priya.raman@acme.example
--   - auditlake hunt principal-activity --param 'principal=%/priya.raman@acme.example' --since 2026-11-01
-- ---
with matching_events as (
  select
    event_time,
    source,
    account,
    region,
    actor,
    actor_type,
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
    and (actor ilike getvariable('principal') or actor_issuer ilike getvariable('principal'))
  order by event_time desc, event_id desc
  limit getvariable('max_rows')
)
select *
from matching_events
order by event_time, event_id
