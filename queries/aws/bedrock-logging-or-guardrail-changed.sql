-- ---
-- id: aws/bedrock-logging-or-guardrail-changed
-- title: Bedrock model invocation logging deleted or a guardrail changed
-- severity: medium
-- sources: [aws]
-- attack: [T1562.008, T1562.001]
-- controls:
--   soc2_2017: ['CC7.2']
--   nist_800_53_r5: ['AU-9', 'CM-3', 'SI-4']
-- method: match
-- keys: [actor, account, region, action, resource]
-- description: >
--   DeleteModelInvocationLoggingConfiguration, which stops recording the prompts and responses of every
--   model call in the region, or DeleteGuardrail or UpdateGuardrail, which remove or change the content
--   filters applied to model calls. Someone abusing models with stolen credentials removes both: the
--   logging so that the prompts are not seen, the guardrails so that the models answer anything.
-- remediation: >
--   Restore the invocation logging configuration or the guardrail's previous version at once, then ask
--   the principal why; if unknown, revoke its credentials and review its Bedrock calls.
-- false_positives:
--   - Teams tuning their guardrails (UpdateGuardrail) as part of normal development; suppress by
--     principal, or by region for a sandbox account.
--   - Logging moved to another destination (a delete followed by a new PutModelInvocationLoggingConfiguration).
-- params: {}
-- ---
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  case action
    when 'DeleteModelInvocationLoggingConfiguration' then 'model invocation logging'
    else coalesce(raw->>'$.requestParameters.guardrailIdentifier', resources[1], '(a guardrail)')
  end as resource,
  case action
    when 'DeleteModelInvocationLoggingConfiguration'
      then format('{} deleted the Bedrock model invocation logging configuration in {}: prompts and responses are no longer recorded', actor, region)
    when 'DeleteGuardrail'
      then format('{} deleted Bedrock guardrail {} in {}', actor, coalesce(raw->>'$.requestParameters.guardrailIdentifier', '(unnamed)'), region)
    else format('{} changed Bedrock guardrail {} in {}', actor, coalesce(raw->>'$.requestParameters.guardrailIdentifier', '(unnamed)'), region)
  end as summary,
  [event_id] as evidence
from events
where source = 'aws'
  and event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and service = 'bedrock.amazonaws.com'
  and action in ['DeleteModelInvocationLoggingConfiguration', 'DeleteGuardrail', 'UpdateGuardrail']
  and outcome = 'success'
order by event_time
