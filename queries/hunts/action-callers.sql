-- ---
-- id: action-callers
-- title: Who called an action
-- sources: [aws, gcp, azure]
-- description: >
--   Every principal that called an action (CloudTrail eventName, GCP methodName, Azure operation or
--   Entra activity), matched without regard to case with % and _ as wildcards, one row per principal
--   with successes, failures, where from and when. "Who ran DeleteBucket", "who used
--   GetFederationToken", "who deleted a VM".
-- params:
--   action:
--     type: string
--     description: the action or a pattern, e.g. DeleteBucket, '%SetIamPolicy', 'microsoft.compute/virtualmachines/delete'
-- examples:
--   - auditlake hunt action-callers --param action=DeleteBucket
--   - auditlake hunt action-callers --param 'action=%.delete' --since 2026-11-01
-- ---
select
  actor,
  source,
  account,
  action,
  count(*) as calls,
  count(*) filter (where outcome = 'success') as succeeded,
  count(*) filter (where outcome = 'failure') as failed,
  min(event_time) as first_seen,
  max(event_time) as last_seen,
  list_sort(list_distinct(list(source_ip) filter (where source_ip is not null)))[1:10] as source_ips,
  list(event_id order by event_time, event_id)[1:20] as evidence
from events
where event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and action ilike getvariable('action')
group by actor, source, account, action
order by calls desc, actor, action
