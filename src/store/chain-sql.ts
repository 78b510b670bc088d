/**
 * The canonical forms of the integrity chain (docs/integrity.md), as SQL DuckDB evaluates, so the
 * writer, `auditlake verify` and an auditor with the stock DuckDB CLI all hash the same bytes.
 *
 * Version 1 (`auditlake-chain-v1`). Changing any expression here changes every digest: that is a
 * new algorithm version, never an edit. Migration 3 holds a frozen copy of these expressions (to
 * adopt events stored before the chain existed); test/store/chain-migration.test.ts proves the two
 * agree.
 */

export const CHAIN_ALGORITHM = 'auditlake-chain-v1';

/** prev_digest of the first batch. */
export const GENESIS_DIGEST = '0'.repeat(64);

/** A TIMESTAMPTZ as ISO 8601 UTC text with microseconds, whatever the session's TimeZone. */
export function utcText(column: string): string {
  return `strftime(${column} at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')`;
}

/** The UTC day of a TIMESTAMPTZ (days, day roots and pruning are UTC days). */
export function utcDay(column: string): string {
  return `(${column} at time zone 'UTC')::date`;
}

/**
 * One event's digest: sha256 of a JSON object of every stored column but `raw` and `batch_id`,
 * a newline, then `raw` exactly as stored. Every column is in: the normalized columns are what
 * detectors and reports read, so changing `actor` alone must show as much as changing `raw`;
 * `origin`, `position`, `ingested_at` and `run_id` are the provenance an auditor relies on.
 * `batch_id` is left out because the grouping binds it: an event moved to another batch breaks
 * both batches' day digests. JSON escaping makes the first line unambiguous (no raw newline in it)
 * and `raw_bytes` tells a null `raw` from an empty one; `details` is hashed as its text, so not
 * even whitespace in it can change unseen.
 */
export function eventDigestSql(e: string): string {
  const col = (name: string) => `'${name}', ${e}.${name}`;
  return `sha256(json_object(
    ${col('event_id')}, ${col('source')}, ${col('format')},
    'event_time', ${utcText(`${e}.event_time`)},
    ${col('account')}, ${col('region')}, ${col('service')}, ${col('action')}, ${col('log_type')},
    ${col('actor')}, ${col('actor_type')}, ${col('actor_issuer')}, ${col('source_ip')}, ${col('user_agent')},
    ${col('outcome')}, ${col('error_code')}, ${col('error_message')}, ${col('mfa')}, ${col('resources')},
    'details', ${e}.details::varchar,
    ${col('origin')}, ${col('position')},
    'ingested_at', ${utcText(`${e}.ingested_at`)},
    ${col('run_id')},
    'raw_bytes', strlen(${e}.raw::varchar)
  )::varchar || chr(10) || coalesce(${e}.raw::varchar, ''))`;
}

/** A slice's digest, over its events' digests (column `d`) in sorted order. */
export const SLICE_DIGEST_SQL = `sha256(string_agg(d, ',' order by d))`;

/**
 * The events of a batch for one source and UTC day (a "slice"), recomputed from `events`:
 * batch_id, source, day, events, digest. The digest is sha256 over the sorted event digests, so
 * it does not depend on the order rows are stored or read in.
 */
export function sliceDigestsSql(where: string): string {
  return `select
  batch_id,
  source,
  day,
  count(*)::bigint as events,
  ${SLICE_DIGEST_SQL} as digest
from (
  select e.batch_id, e.source, ${utcDay('e.event_time')} as day, ${eventDigestSql('e')} as d
  from events e
  where ${where}
)
group by batch_id, source, day`;
}

/** A batch's events digest, over its slices (alias `s` of batch_days) in source, day order. */
export const BATCH_EVENTS_DIGEST_SQL = `sha256(string_agg(
  s.source || ' ' || s.day::varchar || ' ' || s.events::varchar || ' ' || s.digest,
  chr(10) order by s.source, s.day
))`;

/** A link's digest, over the stored fields of an event_batches row (alias `b`) and its prev_digest. */
export function linkDigestSql(b: string): string {
  return `sha256(json_array(
    ${b}.algorithm, ${b}.prev_digest, ${b}.batch_id, ${b}.run_id, ${b}.connector,
    ${utcText(`${b}.committed_at`)}, ${b}.events, ${b}.events_digest
  )::varchar)`;
}

/**
 * A day root (per source and UTC day), over that day's slices (alias `s` of batch_days) in batch
 * order. Computed from slices rather than events, so it stays computable after the events are
 * pruned and "as of batch N" (what an export recorded) is a filter `batch_id <= N`.
 */
export const DAY_ROOT_SQL = `sha256(string_agg(
  s.batch_id::varchar || ' ' || s.events::varchar || ' ' || s.digest,
  chr(10) order by s.batch_id
))`;
