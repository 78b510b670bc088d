import { SOURCE_VIEWS_SQL } from './source-views.js';

/**
 * Versioned schema migrations. Append only: a released migration is never edited, a change is a
 * new entry. `schema_migrations` records which versions a store has.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, checkpoints, ingest errors, runs',
    sql: `
create sequence if not exists run_id_seq start 1;

create table runs (
  run_id bigint primary key default nextval('run_id_seq'),
  command varchar not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  status varchar not null,            -- running | ok | partial | failed
  events_read bigint not null default 0,
  events_new bigint not null default 0,
  events_duplicate bigint not null default 0,
  errors bigint not null default 0,
  files_read bigint not null default 0,
  files_skipped bigint not null default 0,
  details json
);

-- No primary key on events: DuckDB keeps ART indexes in memory, which would make memory grow
-- with the store. Dedupe on (source, event_id) is done by the batch writer instead (anti-join
-- restricted to the batch's time range; a source repeats an event with its original time).
create table events (
  event_id varchar not null,
  source varchar not null,
  format varchar not null,
  event_time timestamptz not null,
  account varchar,
  region varchar,
  service varchar,
  action varchar,
  log_type varchar,
  actor varchar,
  actor_type varchar,
  actor_issuer varchar,
  source_ip varchar,
  user_agent varchar,
  outcome varchar not null,
  error_code varchar,
  error_message varchar,
  mfa boolean,
  resources varchar[],
  details json,
  raw json using compression zstd,
  origin varchar not null,
  position bigint,
  ingested_at timestamptz not null,
  run_id bigint
);

create table checkpoints (
  source varchar not null,            -- files | aws | gcp | azure ...
  origin varchar not null,            -- file path, bucket prefix, account/region, project ...
  cursor json not null,               -- connector-specific resume point
  updated_at timestamptz not null,
  run_id bigint,
  primary key (source, origin)
);

create table ingest_errors (
  run_id bigint,
  recorded_at timestamptz not null,
  source varchar not null,
  origin varchar not null,
  position varchar,                   -- "line 12", "record 3", "byte 4096"
  reason varchar not null,
  excerpt varchar                     -- the offending bytes, truncated
);
`,
  },
  {
    version: 2,
    name: 'findings, finding history and evidence, detection runs',
    sql: `
-- One row per finding: a detector id plus the values of its header's key columns (the fingerprint).
-- A rerun over the same or an overlapping window updates the row, never adds one.
create table findings (
  -- Unique, kept so by the engine (the only writer): no primary key, whose index would make
  -- updates of the list columns costly.
  id varchar not null,                -- first 16 hex digits of fingerprint, what people type
  fingerprint varchar not null,       -- sha256 of detector id + key column values
  detector_id varchar not null,
  detector_version varchar not null,  -- sha256 of the detector file that last updated the finding
  title varchar not null,
  severity varchar not null,          -- info | low | medium | high | critical
  controls json not null,             -- framework key -> control ids, copied from the header
  attack varchar[] not null,
  key_values json not null,           -- the key columns and their values
  actor varchar,
  account varchar,
  region varchar,
  source_ip varchar,
  action varchar,
  resource varchar,
  summary varchar,
  first_seen timestamptz not null,
  last_seen timestamptz not null,
  count bigint not null,              -- distinct evidence events (finding_evidence), at least 1
  evidence varchar[] not null,        -- evidence event ids, distinct, capped
  status varchar not null,            -- open | acknowledged | suppressed | resolved
  status_by varchar,
  status_reason varchar,
  status_at timestamptz not null,
  suppression json,                   -- the auditlake.yaml rule that suppressed it, when one did
  extra json,                         -- the detector's own extra columns, from the latest row
  created_at timestamptz not null,
  updated_at timestamptz not null,
  created_run_id bigint,
  last_run_id bigint
);

-- Every distinct evidence event of a finding, so count stays exact past the evidence cap and a
-- rerun of the same window adds nothing. No primary key: it can grow with noisy detectors.
create table finding_evidence (
  finding_id varchar not null,
  event_id varchar not null,
  run_id bigint
);

-- Who changed a finding's status, when and why; the engine writes its own transitions here too.
create table finding_history (
  finding_id varchar not null,
  changed_at timestamptz not null,
  from_status varchar,                -- null when the finding was created
  to_status varchar not null,
  changed_by varchar not null,
  reason varchar,
  run_id bigint
);

-- One row per detector per detect run: the evidence that review ran, over which window, with
-- which version of the detector, and what came of it.
create table detection_runs (
  run_id bigint not null,
  detector_id varchar not null,
  detector_version varchar,           -- sha256 of the SQL file; null when the file did not load
  window_start timestamptz,
  window_end timestamptz,
  started_at timestamptz not null,
  duration_ms bigint not null,
  rows bigint not null default 0,
  new_findings bigint not null default 0,
  updated_findings bigint not null default 0,
  reopened_findings bigint not null default 0,
  suppressed_hits bigint not null default 0,
  error varchar                       -- null when the detector ran clean
);
`,
  },
  {
    version: 3,
    name: 'integrity chain: event batches, day slices, pruned days',
    // The digest expressions below are a frozen copy of src/store/chain-sql.ts (auditlake-chain-v1),
    // used once to adopt the events stored before the chain existed; a test proves they agree.
    sql: `
-- Every committed batch of new events is a link of a hash chain (docs/integrity.md). Rows already
-- stored get batch 0, adopted below; the default is then dropped, so a row inserted behind the
-- writer's back has no batch and shows as such.
alter table events add column batch_id bigint default 0;
alter table events alter column batch_id drop default;

-- One row per committed batch that stored events: the chain's links, in batch_id order.
create table event_batches (
  batch_id bigint primary key,        -- 1, 2, 3 ... in commit order (0: events adopted by this migration)
  run_id bigint,
  connector varchar not null,         -- files | aws | gcp | azure ... (a batch may hold several sources)
  committed_at timestamptz not null,
  events bigint not null,
  events_digest varchar not null,     -- sha256 over the batch's batch_days lines (source, day order)
  prev_digest varchar not null,       -- digest of the previous link (64 zeros for the first)
  digest varchar not null,            -- sha256 of this row's fields and prev_digest
  algorithm varchar not null          -- auditlake-chain-v1
);

-- The part of a batch for one source and UTC day: its event count and the sha256 over its sorted
-- event digests. Kept after the events are pruned: day roots and the chain still verify.
create table batch_days (
  batch_id bigint not null,
  source varchar not null,
  day date not null,
  events bigint not null,
  digest varchar not null
);

-- Days whose events were pruned, with the day root they had then; verify checks the kept
-- batch_days against it instead of the (gone) events.
create table pruned_days (
  source varchar not null,
  day date not null,
  events bigint not null,
  batches bigint not null,
  root varchar not null,
  last_batch_id bigint not null,      -- the root covers this batch and the ones before it
  pruned_at timestamptz not null,
  primary key (source, day)
);

-- Day roots: per source and UTC day, sha256 over the day's batch_days lines in batch order.
create view chain_days as
select
  s.source,
  s.day,
  sum(s.events)::bigint as events,
  count(*)::bigint as batches,
  max(s.batch_id) as last_batch_id,
  sha256(string_agg(
    s.batch_id::varchar || ' ' || s.events::varchar || ' ' || s.digest,
    chr(10) order by s.batch_id
  )) as root
from batch_days s
group by s.source, s.day;

insert into batch_days (batch_id, source, day, events, digest)
select
  batch_id,
  source,
  day,
  count(*)::bigint as events,
  sha256(string_agg(d, ',' order by d)) as digest
from (
  select e.batch_id, e.source, (e.event_time at time zone 'UTC')::date as day, sha256(json_object(
    'event_id', e.event_id, 'source', e.source, 'format', e.format,
    'event_time', strftime(e.event_time at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'),
    'account', e.account, 'region', e.region, 'service', e.service, 'action', e.action, 'log_type', e.log_type,
    'actor', e.actor, 'actor_type', e.actor_type, 'actor_issuer', e.actor_issuer, 'source_ip', e.source_ip, 'user_agent', e.user_agent,
    'outcome', e.outcome, 'error_code', e.error_code, 'error_message', e.error_message, 'mfa', e.mfa, 'resources', e.resources,
    'details', e.details::varchar,
    'origin', e.origin, 'position', e.position,
    'ingested_at', strftime(e.ingested_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'),
    'run_id', e.run_id,
    'raw_bytes', strlen(e.raw::varchar)
  )::varchar || chr(10) || coalesce(e.raw::varchar, '')) as d
  from events e
  where e.batch_id = 0
)
group by batch_id, source, day;

insert into event_batches (batch_id, run_id, connector, committed_at, events, events_digest, prev_digest, digest, algorithm)
select
  b.batch_id, b.run_id, b.connector, b.committed_at, b.events, b.events_digest, b.prev_digest,
  sha256(json_array(
    b.algorithm, b.prev_digest, b.batch_id, b.run_id, b.connector,
    strftime(b.committed_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'), b.events, b.events_digest
  )::varchar),
  b.algorithm
from (
  select
    0::bigint as batch_id,
    null::bigint as run_id,
    'migration' as connector,
    now() as committed_at,
    sum(s.events)::bigint as events,
    sha256(string_agg(
      s.source || ' ' || s.day::varchar || ' ' || s.events::varchar || ' ' || s.digest,
      chr(10) order by s.source, s.day
    )) as events_digest,
    '0000000000000000000000000000000000000000000000000000000000000000' as prev_digest,
    'auditlake-chain-v1' as algorithm
  from batch_days s
  where s.batch_id = 0
  having count(*) > 0
) b;
`,
  },
  {
    version: 4,
    name: 'principal activity profile: shared classification macros and per-day aggregates',
    sql: `
-- Classifications that detectors and the activity profile share, as macros stored in the database
-- so detectors, hunts and an analyst in the stock DuckDB CLI all use one definition
-- (docs/detection.md, "Activity profile"). A change to one of them is a new migration.

-- The principal a history is kept for: the person behind a role session when the session is named
-- after one (Identity Center, SAML), else the role (rotating workload session names share one
-- history), else the actor; e-mail addresses lowercased.
create or replace macro identity_of(actor, actor_type, actor_issuer) as
  case
    when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' and regexp_extract(actor, '[^/]+$') like '%@%'
      then lower(regexp_extract(actor, '[^/]+$'))
    when actor_type = 'role' and actor_issuer like 'arn:aws%:iam::%:role/%' then actor_issuer
    when actor like '%@%' then lower(actor)
    else actor
  end;

-- The network an address belongs to: /24 for IPv4, /48 for IPv6; null for service names.
create or replace macro network_of(source_ip) as
  case
    when regexp_matches(source_ip, '^\\d+\\.\\d+\\.\\d+\\.\\d+$') then regexp_extract(source_ip, '^(\\d+\\.\\d+\\.\\d+)\\.', 1) || '.0/24'
    when source_ip like '%:%' then array_to_string(string_split(source_ip, ':')[1:3], ':') || '::/48'
  end;

-- The client family of a user agent (browser, terraform, boto3, aws-cli, ...); null for AWS
-- services acting on a caller's behalf and for missing agents.
create or replace macro client_family(user_agent) as
  case
    when user_agent is null or trim(user_agent) = '' then null
    when user_agent like '%.amazonaws.com' or user_agent like 'AWS Internal%' or user_agent like '[%.amazonaws.com]' then null
    when user_agent ilike '%terraform%' then 'terraform'
    when regexp_matches(user_agent, '^\\[?(Mozilla|Opera|Chrome|Firefox|Edge|Safari|IE)\\b', 'i') then 'browser'
    when user_agent ilike '%boto3/%' or user_agent ilike 'botocore/%' then 'boto3'
    when user_agent ilike 'google-cloud-sdk%' or user_agent ilike 'gcloud%' then 'gcloud'
    else nullif(lower(regexp_extract(user_agent, '^\\[?([A-Za-z][A-Za-z0-9_.-]*?)(?:/|\\s|\\(|$)', 1)), '')
  end;

-- A region comparable across spellings: lowercased without spaces (Azure 'West Europe' =
-- 'westeurope'), GCP zones folded into their region; null for global and missing regions.
create or replace macro region_key(source, region) as
  case
    when region is null or lower(region) in ('global', '') then null
    when source = 'gcp' then regexp_replace(lower(region), '^([a-z]+-[a-z]+[0-9]+)-[a-z]$', '\\1')
    else lower(replace(region, ' ', ''))
  end;

-- A change rather than a read (CloudTrail's readOnly flag when present, else the action's verb).
create or replace macro is_write_action(source, action, raw) as
  case
    when source = 'aws' then not coalesce(try_cast(raw->>'$.readOnly' as boolean), regexp_matches(action, '^(Get|List|Describe|Head|Lookup|Search|Batch(Get|Describe))'))
    when source = 'gcp' then not regexp_matches(lower(action), '\\.(get|list|search|lookup|watch|aggregatedlist|testiampermissions)[a-z]*$|\\.(get|list)[a-z]*$|\\.(get|list|search)$')
    else not regexp_matches(lower(action), '/read$|/list[a-z]*/action$')
  end;

-- A failed sign-in: not activity of the principal (anyone can fail to sign in as anyone).
create or replace macro is_failed_signin(outcome, action, format) as
  outcome = 'failure' and (action = 'ConsoleLogin' or format = 'entra_signin');

-- A call refused for lack of permission (enumeration), failed console sign-ins aside.
create or replace macro is_access_denied(outcome, action, error_code) as
  outcome = 'failure'
  and action is distinct from 'ConsoleLogin'
  and regexp_matches(lower(coalesce(error_code, '')), 'accessdenied|unauthorized|forbidden|permission_denied|authorizationfailed|authorizationerror|notauthorized|unauthenticated|accessdeniedexception');

-- A successful deletion (delete, remove, terminate, purge, destroy, batch forms included).
create or replace macro is_deletion(outcome, action) as
  outcome = 'success'
  and regexp_matches(lower(coalesce(action, '')), '(^|[./_ :-])(batch)?(delete|remove|terminate|purge|destroy)');

-- A successful read of a secret's value: Secrets Manager, SSM parameters with decryption, KMS
-- Decrypt called directly by a person (not by an AWS service for it, not by a workload role),
-- Secret Manager AccessSecretVersion, Key Vault secret reads.
create or replace macro is_secret_read(source, service, action, outcome, actor_type, identity, source_ip, raw) as
  outcome = 'success'
  and ((source = 'aws' and service = 'secretsmanager.amazonaws.com' and action in ('GetSecretValue', 'BatchGetSecretValue'))
    or (source = 'aws' and service = 'ssm.amazonaws.com' and action in ('GetParameter', 'GetParameters', 'GetParametersByPath')
      and lower(raw->>'$.requestParameters.withDecryption') = 'true')
    or (source = 'aws' and service = 'kms.amazonaws.com' and action = 'Decrypt'
      and coalesce(source_ip, '') not like '%.amazonaws.com'
      and (identity like '%@%' or actor_type in ('user', 'root', 'federated')))
    or (source = 'gcp' and action like '%SecretManagerService.AccessSecretVersion')
    or (source = 'azure' and lower(action) in ('secretget', 'microsoft.keyvault/vaults/secrets/read',
      'microsoft.keyvault/vaults/secrets/getsecret/action')));

-- A successful sensitive read: secret reads, plus listing secrets and keys, credential reports,
-- account authorization details, bucket and key policies, instance passwords, storage account keys,
-- app settings and AKS admin credentials.
create or replace macro is_sensitive_read(source, service, action, outcome, actor_type, identity, source_ip, raw) as
  is_secret_read(source, service, action, outcome, actor_type, identity, source_ip, raw)
  or (outcome = 'success'
    and ((source = 'aws' and action in ('ListSecrets', 'GetCredentialReport', 'GenerateCredentialReport',
        'GetAccountAuthorizationDetails', 'ListAccessKeys', 'ListSSHPublicKeys', 'ListServiceSpecificCredentials',
        'ListSigningCertificates', 'GetBucketPolicy', 'GetBucketAcl', 'GetKeyPolicy', 'GetPasswordData'))
      or (source = 'gcp' and (action like '%SecretManagerService.ListSecrets'
        or action like '%.ListServiceAccountKeys'
        or action like '%.GetServiceAccountKey'))
      or (source = 'azure' and lower(action) in ('secretlist', 'microsoft.storage/storageaccounts/listkeys/action',
        'microsoft.web/sites/config/list/action',
        'microsoft.containerservice/managedclusters/listclusteradmincredential/action'))));

-- One row per UTC day, source, principal (identity and actor) and account: what the baseline
-- detectors compare a window against, kept up to date by the detection engine from the days that
-- new batches touched (src/detect/activity-profile.ts), so a nightly run reads one day of events
-- instead of a month. Derived data: dropping its rows and the state rows rebuilds it.
create table activity_days (
  day date not null,
  source varchar not null,
  identity varchar not null,
  actor varchar not null,
  account varchar,
  actor_type varchar,
  events bigint not null,            -- every event
  successes bigint not null,
  active_events bigint not null,     -- events other than failed sign-ins
  first_active_at timestamptz,       -- of those
  last_active_at timestamptz,
  last_active_event_id varchar,
  hours utinyint[],                  -- UTC hours of the day with active events
  denied bigint not null,            -- is_access_denied
  deletions bigint not null,         -- is_deletion
  sensitive_reads bigint not null,   -- is_sensitive_read
  secret_reads bigint not null,      -- is_secret_read
  regions varchar[],                 -- region_key of successful calls
  networks varchar[],                -- network_of of every call
  client_families varchar[]          -- client_family of every call
);

-- Which (source, day) the profile covers, up to which batch: a day is rebuilt when a later batch
-- touched it (late arrivals) or when events of it were pruned.
create table activity_day_state (
  source varchar not null,
  day date not null,
  through_batch_id bigint not null,
  events bigint not null,
  built_at timestamptz not null,
  primary key (source, day)
);

-- Each principal's (source, identity) daily count of one profile metric between two days, as a
-- robust baseline: median, maximum, median absolute deviation and active days. Days without
-- activity since the principal's first appearance in the range count as zero. metric: 'events',
-- 'denied', 'deletions', 'sensitive_reads' or 'secret_reads'.
create or replace macro daily_baseline(metric, first_day, last_day) as table
with daily as (
  select
    source,
    identity,
    day,
    sum(case metric
      when 'events' then events
      when 'denied' then denied
      when 'deletions' then deletions
      when 'sensitive_reads' then sensitive_reads
      when 'secret_reads' then secret_reads
    end) as hits
  from activity_days
  where day >= first_day
    and day <= last_day
  group by all
),
days as (
  select unnest(generate_series(first_day::timestamp, last_day::timestamp, interval 1 day))::date as day
),
with_idle_days as (
  select
    p.source,
    p.identity,
    d.day,
    coalesce(h.hits, 0) as hits,
    h.day is not null as active
  from (select source, identity, min(day) as first_day from daily group by all) as p
  join days as d
    on d.day >= p.first_day
  left join daily as h
    on h.source = p.source
    and h.identity = p.identity
    and h.day = d.day
),
medians as (
  select
    source,
    identity,
    median(hits) as median_hits,
    max(hits) as max_hits,
    count_if(active) as active_days
  from with_idle_days
  group by all
)
select
  m.source,
  m.identity,
  m.median_hits,
  m.max_hits,
  m.active_days,
  median(abs(h.hits - m.median_hits)) as mad_hits
from medians as m
join with_idle_days as h
  on h.source = m.source
  and h.identity = m.identity
group by all;
`,
  },
  {
    version: 5,
    name: 'CloudTrail digest verification: digests, their log files, log file hashes, public keys',
    sql: `
-- CloudTrail's own integrity evidence (docs/integrity.md): one row per hourly digest file of a
-- trail, account and region, with what was checked and the outcome. Rows are replaced (delete and
-- insert by digest_key), never added twice; a digest referenced by its successor but not found is
-- a row too (present = false, status missing).
create table cloudtrail_digests (
  digest_key varchar not null,        -- the digest object key from 'AWSLogs/' on
  account varchar not null,
  region varchar not null,            -- the region the digest covers
  trail varchar not null,
  home_region varchar,                -- the trail's home region
  digest_start timestamptz,
  digest_end timestamptz not null,
  backfill boolean not null,          -- a _backfill digest: outside the hourly chain
  present boolean not null,
  origin varchar,                     -- the file or s3:// object it was read from
  digest_bucket varchar,              -- digestS3Bucket / digestS3Object as the (signed) file names itself
  digest_object varchar,
  digest_end_text varchar,            -- digestEndTime exactly as written (it is signed as text)
  sha256 varchar,                     -- of the uncompressed digest file
  fingerprint varchar,                -- digestPublicKeyFingerprint
  signature_algorithm varchar,
  meta_signature varchar,             -- x-amz-meta-signature, when read from S3
  previous_key varchar,
  previous_sha256 varchar,
  previous_signature varchar,
  log_files integer,
  signature_checked varchar,          -- the signature last verified and whether it verified: kept so a
  signature_ok boolean,               -- later run without the public key does not lose the result
  status varchar not null,            -- valid | bad_signature | chain_broken | log_hash_mismatch | log_file_missing | missing | unverifiable
  detail varchar,
  recorded_at timestamptz not null,
  checked_at timestamptz,
  run_id bigint
);

-- The log files each digest lists, with the hash it records and what was found.
create table cloudtrail_digest_log_files (
  digest_key varchar not null,
  log_key varchar not null,           -- the log object key from 'AWSLogs/' on
  log_bucket varchar,
  log_object varchar,
  expected_sha256 varchar not null,
  actual_sha256 varchar,
  status varchar not null,            -- valid | hash_mismatch | missing | unchecked
  checked_at timestamptz
);

-- The sha256 of each CloudTrail log file as read (uncompressed content), null when the object was
-- looked for and does not exist. The newest row per log_key counts.
create table cloudtrail_log_hashes (
  log_key varchar not null,
  sha256 varchar,
  origin varchar not null,
  hashed_at timestamptz not null,
  run_id bigint
);

-- CloudTrail's public keys by fingerprint (from ListPublicKeys or from config): public data, kept so
-- digests can be rechecked offline.
create table cloudtrail_public_keys (
  fingerprint varchar not null,
  public_key varchar not null,        -- base64 DER, PKCS#1 or SubjectPublicKeyInfo
  valid_from timestamptz,
  valid_to timestamptz,
  source varchar not null,            -- ListPublicKeys | config
  added_at timestamptz not null
);
`,
  },
  {
    version: 6,
    name: 'event conflicts: duplicate event ids with different content',
    sql: `
-- A duplicate event id whose record differs from the stored one (docs/integrity.md): the first copy
-- stays in events, each different copy is recorded here once (by its digest) instead of vanishing.
-- Written by the batch writer in the batch's transaction (src/store/event-conflicts.ts).
create table event_conflicts (
  source varchar not null,
  event_id varchar not null,
  event_time timestamptz,             -- of the stored copy
  stored_origin varchar not null,     -- where the kept copy came from
  stored_position bigint,
  stored_batch_id bigint,
  stored_digest varchar not null,     -- sha256(json(raw)::varchar) of the kept copy
  origin varchar not null,            -- where the conflicting copy was read
  position bigint,
  incoming_digest varchar not null,   -- the same digest of the conflicting copy
  differs varchar[] not null,         -- normalized columns that differ; empty: only the raw record
  run_id bigint,
  detected_at timestamptz not null
);
`,
  },
  {
    version: 7,
    name: 'per-source views for analysts: cloudtrail, gcp_audit, azure_activity, entra_signins, entra_audit',
    // Built in src/store/source-views.ts, whose text is frozen with this migration.
    sql: SOURCE_VIEWS_SQL,
  },
  {
    version: 8,
    name: 'classification macros that parse a raw record or run a regex only for rows that need it',
    sql: `
-- The same classifications as version 4, same results. Inside an expression, DuckDB evaluates
-- every operand of AND and OR for every row, so version 4 parsed each row's raw record (for SSM's
-- withDecryption) and ran the error-code regex on successes too; a CASE evaluates its THEN only
-- for the rows whose WHEN holds. A day of 333,000 events: is_secret_read 72 -> 35 ms in the
-- activity profile. events.outcome is NOT NULL, so 'else false' and testing outcome first give
-- version 4's results.

-- A call refused for lack of permission (enumeration), failed console sign-ins aside.
create or replace macro is_access_denied(outcome, action, error_code) as
  case
    when outcome = 'failure' and action is distinct from 'ConsoleLogin'
      then regexp_matches(lower(coalesce(error_code, '')), 'accessdenied|unauthorized|forbidden|permission_denied|authorizationfailed|authorizationerror|notauthorized|unauthenticated|accessdeniedexception')
    else false
  end;

-- A successful read of a secret's value: Secrets Manager, SSM parameters with decryption, KMS
-- Decrypt called directly by a person (not by an AWS service for it, not by a workload role),
-- Secret Manager AccessSecretVersion, Key Vault secret reads.
create or replace macro is_secret_read(source, service, action, outcome, actor_type, identity, source_ip, raw) as
  outcome = 'success'
  and case
    when source = 'aws' and service = 'ssm.amazonaws.com' and action in ['GetParameter', 'GetParameters', 'GetParametersByPath']
      then lower(raw->>'$.requestParameters.withDecryption') = 'true'
    else (source = 'aws' and service = 'secretsmanager.amazonaws.com' and action in ['GetSecretValue', 'BatchGetSecretValue'])
      or (source = 'aws' and service = 'kms.amazonaws.com' and action = 'Decrypt'
        and coalesce(source_ip, '') not like '%.amazonaws.com'
        and (identity like '%@%' or actor_type in ['user', 'root', 'federated']))
      or (source = 'gcp' and action like '%SecretManagerService.AccessSecretVersion')
      or (source = 'azure' and lower(action) in ['secretget', 'microsoft.keyvault/vaults/secrets/read',
        'microsoft.keyvault/vaults/secrets/getsecret/action'])
  end;

-- A successful sensitive read: secret reads, plus listing secrets and keys, credential reports,
-- account authorization details, bucket and key policies, instance passwords, storage account keys,
-- app settings and AKS admin credentials. Version 4's IN lists became a join per row; the lists
-- and the CASE by cloud test each row against its own cloud's actions only.
create or replace macro is_sensitive_read(source, service, action, outcome, actor_type, identity, source_ip, raw) as
  outcome = 'success'
  and (is_secret_read(source, service, action, outcome, actor_type, identity, source_ip, raw)
    or case source
      when 'aws' then action in ['ListSecrets', 'GetCredentialReport', 'GenerateCredentialReport',
        'GetAccountAuthorizationDetails', 'ListAccessKeys', 'ListSSHPublicKeys', 'ListServiceSpecificCredentials',
        'ListSigningCertificates', 'GetBucketPolicy', 'GetBucketAcl', 'GetKeyPolicy', 'GetPasswordData']
      when 'gcp' then action like '%SecretManagerService.ListSecrets'
        or action like '%.ListServiceAccountKeys'
        or action like '%.GetServiceAccountKey'
      when 'azure' then lower(action) in ['secretlist', 'microsoft.storage/storageaccounts/listkeys/action',
        'microsoft.web/sites/config/list/action',
        'microsoft.containerservice/managedclusters/listclusteradmincredential/action']
      else false
    end);
`,
  },
  {
    version: 9,
    name: 'daily_baseline for some principals only',
    sql: `
-- daily_baseline as in version 4, with an optional list of identities: a detector judging a day
-- needs the baseline of the principals active in it (a hundred), not of every principal in the
-- profile (thousands). Without the list it is version 4's macro.
create or replace macro daily_baseline(metric, first_day, last_day, identities := null) as table
with daily as (
  select
    source,
    identity,
    day,
    sum(case metric
      when 'events' then events
      when 'denied' then denied
      when 'deletions' then deletions
      when 'sensitive_reads' then sensitive_reads
      when 'secret_reads' then secret_reads
    end) as hits
  from activity_days
  where day >= first_day
    and day <= last_day
    and (identities is null or list_contains(identities, identity))
  group by all
),
days as (
  select unnest(generate_series(first_day::timestamp, last_day::timestamp, interval 1 day))::date as day
),
with_idle_days as (
  select
    p.source,
    p.identity,
    d.day,
    coalesce(h.hits, 0) as hits,
    h.day is not null as active
  from (select source, identity, min(day) as first_day from daily group by all) as p
  join days as d
    on d.day >= p.first_day
  left join daily as h
    on h.source = p.source
    and h.identity = p.identity
    and h.day = d.day
),
medians as (
  select
    source,
    identity,
    median(hits) as median_hits,
    max(hits) as max_hits,
    count_if(active) as active_days
  from with_idle_days
  group by all
)
select
  m.source,
  m.identity,
  m.median_hits,
  m.max_hits,
  m.active_days,
  median(abs(h.hits - m.median_hits)) as mad_hits
from medians as m
join with_idle_days as h
  on h.source = m.source
  and h.identity = m.identity
group by all;
`,
  },
];
