-- ---
-- id: aws/root-account-usage
-- title: Root user activity
-- severity: high
-- sources: [aws]
-- attack: [T1078.004]
-- controls:
--   cis_aws_v4.0.0: ['4.3']
--   nist_800_53_r5: ['AC-6(9)', 'AC-2(7)']
-- method: match
-- keys: [actor, account, action]
-- description: >
--   Any call made with the root user's credentials: console sign-in, API calls with root access keys, or
--   sessions issued by sts:AssumeRoot (centralized root access, marked sessionContext.assumedRoot,
--   reported with the session kind so they can be tuned separately). Excluded: AwsServiceEvent records
--   and calls an AWS service made on root's behalf (userIdentity.invokedBy), which are not root using
--   its credentials, and failed console sign-ins, which prove no credential (the console authentication
--   failure detector reports those).
-- remediation: >
--   Confirm who used root and why. Root should be used only for the few tasks that require it; lock its
--   credentials away, delete root access keys, require MFA, and prefer AssumeRoot from the management
--   account for privileged tasks.
-- false_positives:
--   - Documented root-only tasks (closing an account, changing the support plan, restoring a bucket policy that locks everyone out).
--   - "Centralized root access sessions (sts:AssumeRoot) used by the organization administrators; set include_assumed_root to false once they are reviewed elsewhere."
-- params:
--   include_assumed_root: true
-- ---
with root_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    outcome,
    coalesce(raw->>'$.userIdentity.sessionContext.assumedRoot', 'false') = 'true' as assumed_root,
    resources[1] as resource
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and (raw->>'$.userIdentity.type') = 'Root'
    and (raw->>'$.userIdentity.invokedBy') is null
    and coalesce(log_type, '') <> 'AwsServiceEvent'
    and not (action = 'ConsoleLogin' and outcome = 'failure')
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('Root user {} {} in account {} from {}{}',
    case when outcome = 'success' then 'called' else 'attempted' end, action, account, source_ip,
    case when assumed_root then ' (centralized root session via sts:AssumeRoot)' else '' end) as summary,
  [event_id] as evidence,
  case when assumed_root then 'assumed_root' else 'root_credentials' end as root_session
from root_calls
where getvariable('include_assumed_root') or not assumed_root
order by event_time
