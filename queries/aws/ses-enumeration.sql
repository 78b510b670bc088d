-- ---
-- id: aws/ses-enumeration
-- title: Email sending capacity of SES explored
-- severity: low
-- sources: [aws]
-- attack: [T1526, T1580]
-- controls:
--   soc2_2017: ['CC7.2']
--   nist_800_53_r5: ['SI-4', 'AU-6']
-- method: threshold
-- keys: [actor, account]
-- description: >
--   One principal calls at least min_actions different SES discovery APIs within window_minutes: whether
--   sending is enabled (GetAccountSendingEnabled, GetAccount), how much it may send (GetSendQuota,
--   GetSendStatistics), and from which verified addresses and domains (ListIdentities,
--   GetIdentityVerificationAttributes, ListEmailIdentities, ListVerifiedEmailAddresses). Attackers holding
--   stolen access keys check this first, then send spam or phishing from the victim's reputable domains.
--   AWS services checking quotas (Trusted Advisor, sourceIPAddress an AWS service) and AWS-managed service
--   roles are not counted. The finding holds the stretch with the most distinct calls.
-- remediation: >
--   Ask the principal's owner; if unknown, revoke the credentials, check SES sending statistics and
--   suppression lists for mail sent since, and look for new identities or sending authorization policies.
-- false_positives:
--   - Administrators reviewing the SES setup with the CLI or an SDK; the console makes such calls too.
--   - Mail-platform tooling that checks quota and identities together; suppress it by actor.
-- params:
--   min_actions: 3
--   window_minutes: 30
-- ---
with ses_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service in ['ses.amazonaws.com', 'email.amazonaws.com']
    and action in ['GetAccountSendingEnabled', 'GetAccount', 'GetSendQuota', 'GetSendStatistics', 'ListIdentities',
      'GetIdentityVerificationAttributes', 'ListEmailIdentities', 'ListVerifiedEmailAddresses']
    and outcome = 'success'
    and actor is not null
    and coalesce(source_ip, '') not like '%.amazonaws.com'
    and coalesce(actor_issuer, '') not like '%:role/aws-service-role/%'
),
-- Every call opens a stretch of window_minutes; the distinct APIs called in it are counted.
stretches as (
  select
    actor,
    account,
    event_time,
    count(distinct action) over stretch as actions,
    list(distinct action) over stretch as action_names,
    list(distinct region) over stretch as regions,
    list(event_id) over stretch as evidence,
    max(event_time) over stretch as last_time,
    source_ip
  from ses_calls
  window stretch as (
    partition by actor, account
    order by event_time
    range between current row and to_minutes(getvariable('window_minutes')::integer) following
  )
),
busiest as (
  select
    actor,
    account,
    arg_max(event_time, actions) as event_time,
    arg_max(last_time, actions) as last_time,
    max(actions) as actions,
    arg_max(action_names, actions) as action_names,
    arg_max(regions, actions) as regions,
    arg_max(evidence, actions) as evidence,
    arg_max(source_ip, actions) as source_ip
  from stretches
  where actions >= getvariable('min_actions')
  group by actor, account
)
select
  event_time,
  actor,
  account,
  array_to_string(list_sort(regions), ', ') as region,
  source_ip,
  array_to_string(list_sort(action_names), ', ') as action,
  null::varchar as resource,
  format('{} explored SES between {} and {} UTC in {}: {}', actor, strftime(event_time, '%Y-%m-%d %H:%M'),
    strftime(last_time, '%H:%M'), array_to_string(list_sort(regions), ', '), array_to_string(list_sort(action_names), ', ')) as summary,
  evidence[1:200] as evidence,
  actions
from busiest
order by event_time
