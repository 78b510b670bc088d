-- ---
-- id: aws/bedrock-model-access-enabled
-- title: Access to Bedrock foundation models enabled
-- severity: medium
-- sources: [aws]
-- attack: [T1496.004]
-- controls:
--   soc2_2017: ['CC7.2']
--   nist_800_53_r5: ['CM-3', 'SI-4']
-- method: match
-- keys: [actor, account, region]
-- description: >
--   A principal turns on access to Bedrock foundation models: PutFoundationModelEntitlement (model access
--   granted), CreateFoundationModelAgreement (a model's offer accepted) or PutUseCaseForModelAccess (the
--   use-case form Anthropic models require). Accounts do this once, when a team adopts a model;
--   attackers with stolen credentials do it first to run models at the victim's expense and out of its
--   sight (LLMjacking), typically followed by InvokeModel calls from the same principal. Calls of one
--   principal in one region merge into one finding.
-- remediation: >
--   Confirm that the account's owners meant to adopt the model; if not, remove the model access, revoke
--   the principal's credentials, check Bedrock's model invocation logs and the bill for InvokeModel use,
--   and deny bedrock:PutFoundationModelEntitlement with an SCP where Bedrock is not used.
-- false_positives:
--   - A team adopting a new model; suppress the platform team's principals once access is managed by them.
-- params: {}
-- ---
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  coalesce(raw->>'$.requestParameters.modelId', resources[1]) as resource,
  format('{} {} in {}', actor,
    case action
      when 'PutFoundationModelEntitlement' then format('granted access to Bedrock model {}', coalesce(raw->>'$.requestParameters.modelId', '(unnamed)'))
      when 'CreateFoundationModelAgreement' then format('accepted the offer for Bedrock model {}', coalesce(raw->>'$.requestParameters.modelId', '(unnamed)'))
      else 'submitted the use case for Anthropic model access on Bedrock'
    end,
    region) as summary,
  [event_id] as evidence
from events
where source = 'aws'
  and event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and service = 'bedrock.amazonaws.com'
  and action in ['PutFoundationModelEntitlement', 'CreateFoundationModelAgreement', 'PutUseCaseForModelAccess']
  and outcome = 'success'
order by event_time
