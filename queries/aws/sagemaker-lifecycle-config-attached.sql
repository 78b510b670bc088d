-- ---
-- id: aws/sagemaker-lifecycle-config-attached
-- title: Startup script attached to a SageMaker notebook instance
-- severity: medium
-- sources: [aws]
-- attack: [T1059, T1078.004]
-- controls:
--   soc2_2017: ['CC7.2']
--   nist_800_53_r5: ['CM-3', 'SI-4']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   UpdateNotebookInstance that sets a lifecycle configuration (LifecycleConfigName), or
--   UpdateNotebookInstanceLifecycleConfig that replaces a configuration's OnStart or OnCreate script. The
--   script runs as root inside the notebook instance at its next start, with the instance's execution
--   role: someone allowed only to stop, update and start a notebook gains that role's permissions (stop,
--   update, start is the usual sequence). Creating a configuration alone runs nothing and is not reported.
-- remediation: >
--   Read the script (DescribeNotebookInstanceLifecycleConfig, base64), detach it if nobody expected it,
--   and if it ran, treat the notebook's execution role credentials as stolen: check what the role did since.
-- false_positives:
--   - Data-science platform teams rolling out a new startup script (package mirrors, idle shutdown).
-- params: {}
-- ---
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  coalesce(raw->>'$.requestParameters.notebookInstanceName', raw->>'$.requestParameters.notebookInstanceLifecycleConfigName', resources[1]) as resource,
  case action
    when 'UpdateNotebookInstance'
      then format('{} attached lifecycle configuration {} to notebook instance {} in {}: its script runs with the instance''s role at the next start',
        actor, raw->>'$.requestParameters.lifecycleConfigName', raw->>'$.requestParameters.notebookInstanceName', region)
    else format('{} replaced the scripts of notebook lifecycle configuration {} in {}: they run with the role of every instance using it at its next start',
      actor, raw->>'$.requestParameters.notebookInstanceLifecycleConfigName', region)
  end as summary,
  [event_id] as evidence
from events
where source = 'aws'
  and event_time >= getvariable('window_start')
  and event_time < getvariable('window_end')
  and service = 'sagemaker.amazonaws.com'
  and action in ['UpdateNotebookInstance', 'UpdateNotebookInstanceLifecycleConfig']
  and outcome = 'success'
  and (action = 'UpdateNotebookInstanceLifecycleConfig'
    or coalesce(raw->>'$.requestParameters.lifecycleConfigName', '') <> '')
order by event_time
