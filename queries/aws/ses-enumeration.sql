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
-- Every call opens a stretch of window_minutes; the distinct APIs called in it are counted by a
-- window count, and only each principal's busiest stretch, the earliest of equals, is then gathered:
-- listing every stretch's calls grew with the square of a busy sender's calls (32,000 a day: 0.7 s).
stretches as (
  select
    actor,
    account,
    event_time,
    count(distinct action) over stretch as actions
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
    event_time as start_time
  from stretches
  where actions >= getvariable('min_actions')
  qualify row_number() over (partition by actor, account order by actions desc, event_time) = 1
),
gathered as (
  select
    b.actor,
    b.account,
    b.start_time as event_time,
    max(c.event_time) as last_time,
    count(distinct c.action) as actions,
    list(distinct c.action) as action_names,
    list(distinct c.region) as regions,
    list(c.event_id order by c.event_time, c.event_id) as evidence,
    arg_min(c.source_ip, c.event_time) as source_ip
  from busiest as b
  join ses_calls as c
    on c.actor = b.actor
    and c.account is not distinct from b.account
    and c.event_time >= b.start_time
    and c.event_time <= b.start_time + to_minutes(getvariable('window_minutes')::integer)
  group by b.actor, b.account, b.start_time
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
from gathered
order by event_time
