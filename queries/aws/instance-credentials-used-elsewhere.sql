-- ---
-- id: aws/instance-credentials-used-elsewhere
-- title: EC2 instance role credentials used from a second address
-- severity: high
-- sources: [aws]
-- attack: [T1552.005, T1078.004]
-- controls:
--   soc2_2017: ['CC6.1', 'CC7.2']
--   nist_800_53_r5: ['AC-2(12)', 'SI-4', 'IA-5']
--   iso27001_2022: ['A.8.16']
-- method: threshold
-- keys: [actor, account, credential]
-- description: >
--   The temporary credentials of an EC2 instance's role (session named after the instance, i-...) are
--   delivered by the instance metadata service and used from the instance's own public address (its
--   public IP, Elastic IP or NAT gateway) or through VPC endpoints. One access key seen from a second
--   public address means someone took it off the instance, through SSRF against the metadata service
--   (IMDSv1) or code running there, and uses it elsewhere: the 2019 Capital One breach, GuardDuty's
--   InstanceCredentialExfiltration. Which address is the instance's is not in the trail (usually the
--   first one seen), so the finding lists every address with its calls. Counted per access key: an
--   instance that stops and starts gets a new address and new credentials, and is not reported; the
--   cost is that a key used only by the thief, from one address while the instance makes no calls of
--   its own, is missed (GuardDuty, which knows the instance's addresses, sees that case). IPv4
--   addresses are compared exactly, IPv6 ones by their /48 network; private addresses (VPC endpoints)
--   and AWS service names are left out. The summary says when the session came from IMDSv1.
-- remediation: >
--   Revoke the role's active sessions (IAM console: Revoke active sessions, an explicit deny for
--   aws:TokenIssueTime before now), read what the other address did with the key, require IMDSv2 on the
--   instance (HttpTokens required, hop limit 1) and look for the SSRF or the code that read the
--   metadata service.
-- false_positives:
--   - "An Elastic IP attached, or a NAT gateway replaced, while the instance's credentials stayed valid: the new address is the instance's."
--   - "Instances that reach AWS through an egress proxy with several public addresses: suppress the role."
--   - "Dual-stack instances calling some endpoints over IPv6 and others over IPv4."
-- params:
--   min_addresses: 2
-- ---
with instance_calls as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    regexp_extract(actor, '/(i-[0-9a-f]{8,17})$', 1) as instance_id,
    coalesce(raw->>'$.userIdentity.accessKeyId', actor) as credential,
    raw->>'$.userIdentity.sessionContext.ec2RoleDelivery' as role_delivery,
    case when source_ip like '%:%' then network_of(source_ip) else source_ip end as address
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and actor_type = 'role'
    -- contains() is a filter DuckDB pushes into the scan, so raw is read for these rows only; a LIKE
    -- with several wildcards is not (23.7 -> 6.0 ms a day on the 10M-event bench store)
    and contains(actor, '/i-')
    and regexp_matches(actor, ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
    -- literal public addresses only: service names (ec2.amazonaws.com, AWS Internal) and private
    -- ranges (VPC endpoints, RFC 1918, carrier-grade NAT, link-local, IPv6 ULA and link-local) are not
    -- an address the key could have been carried to
    and (regexp_matches(source_ip, '^\d+\.\d+\.\d+\.\d+$') or source_ip like '%:%')
    and not regexp_matches(source_ip,
      '^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd][0-9a-f]{2}:|fe80:|::1$)')
),
addresses as (
  select
    credential,
    account,
    address,
    any_value(actor) as actor,
    any_value(instance_id) as instance_id,
    bool_or(role_delivery = '1.0') as imds_v1,
    min(event_time) as first_seen,
    max(event_time) as last_seen,
    count(*) as calls,
    arg_min(region, event_time) as region,
    arg_min(source_ip, event_time) as source_ip,
    list(distinct action order by action) as actions,
    -- each address's first calls, so every address is in the evidence whatever the others' volume
    arg_min(event_id, event_time, 50) as evidence
  from instance_calls
  group by credential, account, address
),
credentials as (
  select
    credential,
    account,
    any_value(actor) as actor,
    any_value(instance_id) as instance_id,
    bool_or(imds_v1) as imds_v1,
    count(*) as address_count,
    arg_min(source_ip, first_seen) as home_ip,
    arg_min(calls, first_seen) as home_calls,
    min(first_seen) as home_first_seen,
    -- the addresses after the first, in the order they appeared
    list(struct_pack(source_ip, first_seen, last_seen, calls, actions, region, evidence) order by first_seen)[2:] as others,
    flatten(list(evidence order by first_seen)) as evidence
  from addresses
  group by credential, account
  having count(*) >= getvariable('min_addresses')
)
select
  others[1].first_seen as event_time,
  actor,
  account,
  others[1].region as region,
  others[1].source_ip as source_ip,
  array_to_string(list_sort(list_distinct(flatten([o.actions for o in others]))[1:10]), ', ') as action,
  instance_id as resource,
  format('One access key of instance {} ({}{}) was used from {} public addresses: {}; then {}, calling {}',
    instance_id, regexp_extract(actor, ':assumed-role/([^/]+)/', 1), case when imds_v1 then ', delivered by IMDSv1' else '' end,
    address_count,
    format('{} from {} ({} calls)', home_ip, strftime(home_first_seen, '%Y-%m-%d %H:%M UTC'), home_calls),
    array_to_string([format('{} from {} ({} calls)', o.source_ip, strftime(o.first_seen, '%H:%M'), o.calls) for o in others], ', '),
    array_to_string(list_sort(list_distinct(flatten([o.actions for o in others])))[1:5], ', ')) as summary,
  evidence,
  credential,
  address_count
from credentials
order by event_time
