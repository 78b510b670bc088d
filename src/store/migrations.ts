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
];
