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
];
