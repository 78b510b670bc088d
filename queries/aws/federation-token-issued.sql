-- ---
-- id: aws/federation-token-issued
-- title: IAM user issued itself a federation token
-- severity: medium
-- sources: [aws]
-- attack: [T1098.001, T1550.001]
-- controls:
--   soc2_2017: ['CC6.1']
--   nist_800_53_r5: ['IA-5', 'AC-2']
-- method: new_value
-- keys: [actor, account, resource]
-- description: >
--   GetFederationToken called by an IAM user: STS returns credentials for a federated user named in the
--   request that stay valid for up to 36 hours and are not revoked when the IAM user's access key is
--   deactivated or deleted, so an attacker holding a stolen key keeps access after the key is rotated.
--   Few organisations use federation tokens today (IAM Identity Center and roles replaced them), so a
--   user that issued none in the baseline_days before window_start is reported; one that does so
--   routinely (a broker) is reported once, when first seen. The summary says when the session policy
--   allows every action.
-- remediation: >
--   Deny sts:GetFederationToken to the user, and to revoke the issued credentials attach an explicit deny
--   for sessions issued before now to the user (aws:TokenIssueTime condition); then rotate its keys.
-- false_positives:
--   - "Legacy brokers that hand out federated sessions: reported the first time only (or suppress their users)."
-- params:
--   baseline_days: 30
-- ---
with issued as (
  select
    *
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'sts.amazonaws.com'
    and action = 'GetFederationToken'
    and outcome = 'success'
    and actor_type = 'user'
),
-- Users that issued federation tokens before the window: routine for them (a broker), not news.
issued_before as (
  select distinct
    actor,
    account
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')::timestamptz - to_days(getvariable('baseline_days')::integer)
    and event_time < getvariable('window_start')
    and service = 'sts.amazonaws.com'
    and action = 'GetFederationToken'
    and outcome = 'success'
)
select
  i.event_time,
  i.actor,
  i.account,
  i.region,
  i.source_ip,
  i.action,
  coalesce(i.raw->>'$.requestParameters.name', i.resources[1]) as resource,
  format('{} issued itself federation token credentials for {}{}', i.actor, coalesce(i.raw->>'$.requestParameters.name', 'an unnamed federated user'),
    case
      when regexp_matches(regexp_replace(coalesce(i.raw->>'$.requestParameters.policy', ''), '\s', '', 'g'), '"Action":"\*"|"Action":\["\*"\]')
        then ' with a session policy allowing every action'
      else ''
    end) as summary,
  [i.event_id] as evidence
from issued as i
where not exists (
  select 1
  from issued_before as b
  where b.actor = i.actor
    and b.account is not distinct from i.account
)
order by i.event_time
