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
--   Any call made with the root user's credentials: console sign-in, actions taken in the console, API
--   calls with root access keys, or sessions issued by sts:AssumeRoot (centralized root access, marked
--   sessionContext.assumedRoot, reported with the session kind so they can be tuned separately). It is
--   the CIS 4.3 metric filter (userIdentity.type Root, invokedBy absent, eventType not AwsServiceEvent)
--   with two differences. Kept: invokedBy signin.amazonaws.com, which CloudTrail writes on actions the
--   root user takes in the console (CreateAccessKey from the security credentials page); the CIS filter
--   drops those. Excluded: AwsServiceEvent records and calls any other AWS service principal made on
--   root's behalf (invokedBy support.amazonaws.com and the like), which are not root using its
--   credentials, and failed sign-in events of any kind (ConsoleLogin, ExternalIdPDirectoryLogin ...),
--   which prove no credential (the console authentication failure detector counts those).
-- remediation: >
--   Confirm who used root and why. Root should be used only for the few tasks that require it; lock its
--   credentials away, delete root access keys, require MFA, and prefer AssumeRoot from the management
--   account for privileged tasks.
-- false_positives:
--   - Documented root-only tasks (closing an account, changing the support plan, restoring a bucket policy that locks everyone out).
--   - "Centralized root access sessions (sts:AssumeRoot) used by the organization administrators; set include_assumed_root to false once they are reviewed elsewhere."
--   - Service-linked role creation and read-only calls made while root does one of those tasks (each call is reported; suppress by action once reviewed).
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
    -- A column test first, so the JSON below is read on root rows only: the CloudTrail normalizer
    -- (the only one for source aws) sets actor_type 'root' exactly when userIdentity.type is Root.
    and actor_type = 'root'
    and coalesce(raw->>'$.userIdentity.invokedBy', 'signin.amazonaws.com') = 'signin.amazonaws.com'
    and coalesce(log_type, '') <> 'AwsServiceEvent'
    and not (service = 'signin.amazonaws.com' and outcome = 'failure')
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
