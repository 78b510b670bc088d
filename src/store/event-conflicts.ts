import type { DuckDBConnection } from '@duckdb/node-api';
import { PROJECTED_COLUMNS } from '../normalize/record-format.js';
import { utcText } from './chain-sql.js';

/**
 * Duplicate event ids with different content (docs/integrity.md, "Conflicting duplicates"). The
 * writer keeps the first copy of an event and drops later ones; when a dropped copy's record is not
 * the stored one, that is recorded in `event_conflicts` instead of vanishing.
 *
 * "Different" means the raw record differs as JSON, whitespace aside: the digests are sha256 of
 * `json(raw)` (DuckDB's minified text), so an auditor recomputes them with the stock DuckDB CLI.
 * Key order is significant, as it is for the chain. `differs` names the normalized columns that
 * differ as well; an empty list means only the raw record does (a field no column is read from, or
 * the same event in another export's shape).
 */

/** sha256 of a raw record as minified JSON: the digest stored for both sides of a conflict. */
export function rawDigestSql(raw: string): string {
  return `sha256(json(${raw})::varchar)`;
}

/** The normalized columns compared to describe a conflict (not the key, not raw, not provenance). */
const COMPARED_COLUMNS = [
  'format',
  ...PROJECTED_COLUMNS.map(([name]) => name).filter(
    (name) => !['origin', 'position', 'raw', 'event_id'].includes(name),
  ),
];

function differsSql(stored: string, incoming: string): string {
  const arms = COMPARED_COLUMNS.map((name) => {
    const cast = name === 'details' ? '::varchar' : '';
    return `case when ${stored}.${name}${cast} is distinct from ${incoming}.${name}${cast} then '${name}' end`;
  });
  return `list_filter([${arms.join(', ')}]::varchar[], x -> x is not null)`;
}

export interface ConflictScan {
  runId: number;
  /** The batch being committed: its new events carry this id. */
  batchId: number;
  /** The event time range the writer's anti-join searched for earlier copies. */
  batchStart: string;
  batchEnd: string;
  /** The batch's sealed rows (src/store/event-writer.ts). */
  table: string;
}

/**
 * Records the conflicts among the records the writer just rejected as duplicates; returns how many
 * new conflicts it recorded. Call inside the writer's transaction, after the insert, and only when
 * the batch had duplicates: the work is proportional to those rows, not to the batch or the store.
 *
 * Idempotent: a conflicting copy already recorded (same source, event id and incoming digest) is not
 * recorded again, so rereading the same input adds nothing.
 */
export async function recordConflicts(c: DuckDBConnection, scan: ConflictScan): Promise<number> {
  // The rejected rows: the batch's valid records that did not become this batch's events.
  await c.run(
    `create or replace temp table conflict_rejected as
select n.*
from ${scan.table} n
where n.problem is null
  and not exists (
    select 1
    from events e
    where e.batch_id = $1
      and e.origin = n.origin
      and e.position = n.position
  )`,
    [scan.batchId],
  );
  const range = await c.runAndReadAll(
    'select count(*)::bigint, min(event_time)::varchar, max(event_time)::varchar from temp.conflict_rejected',
  );
  const [rejected, rejectedStart, rejectedEnd] = range.getRows()[0] ?? [0, null, null];
  if (Number(rejected) === 0) return 0;

  // Their stored copies, by key only (no raw yet). A repeated event keeps its time, so the rejected
  // rows' own time range finds nearly all of them; a copy with another time is looked up in the
  // batch's range, where the anti-join found it, for the few rows still unmatched.
  const collisions = (onlyUnmatched: boolean) =>
    `select
  r.source, r.event_id, r.origin, r.position,
  e.event_time as stored_time, e.origin as stored_origin, e.position as stored_position,
  e.batch_id as stored_batch_id
from temp.conflict_rejected r
join events e
  on e.source = r.source
  and e.event_id = r.event_id
where e.event_time between $1::timestamptz and $2::timestamptz${
      onlyUnmatched
        ? `
  and not exists (
    select 1
    from temp.conflict_collisions m
    where m.origin = r.origin
      and m.position = r.position
  )`
        : ''
    }`;
  await c.run(`create or replace temp table conflict_collisions as\n${collisions(false)}`, [
    String(rejectedStart),
    String(rejectedEnd),
  ]);
  const unmatched = await c.runAndReadAll(
    `select count(*)::bigint
from temp.conflict_rejected r
where not exists (
  select 1
  from temp.conflict_collisions m
  where m.origin = r.origin
    and m.position = r.position
)`,
  );
  if (Number(unmatched.getRows()[0]?.[0] ?? 0) > 0) {
    await c.run(`insert into temp.conflict_collisions\n${collisions(true)}`, [
      scan.batchStart,
      scan.batchEnd,
    ]);
  }

  const stored = await c.runAndReadAll(
    'select min(stored_time)::varchar, max(stored_time)::varchar from temp.conflict_collisions',
  );
  const [storedStart, storedEnd] = stored.getRows()[0] ?? [null, null];
  if (storedStart === null || storedStart === undefined) return 0;

  // Then their records, joined on the stored time as well: DuckDB narrows the scan to those times
  // (a dynamic filter), so raw is read for the stored copies, not for every event in the range.
  // Equal text ends the comparison; only texts that differ are minified and compared again.
  await c.run(
    `create or replace temp table conflict_compared as
select
  k.*,
  case when e.raw::varchar is not distinct from r.raw::varchar then true
    else json(e.raw)::varchar is not distinct from json(r.raw)::varchar end as same,
  case when e.raw::varchar is distinct from r.raw::varchar then e.raw end as stored_raw,
  case when e.raw::varchar is distinct from r.raw::varchar then ${differsSql('e', 'r')} end as differs
from temp.conflict_collisions k
join events e
  on e.source = k.source
  and e.event_id = k.event_id
  and e.event_time = k.stored_time
  and e.origin = k.stored_origin
  and e.position is not distinct from k.stored_position
join temp.conflict_rejected r
  on r.origin = k.origin
  and r.position = k.position
where e.event_time between $1::timestamptz and $2::timestamptz`,
    [String(storedStart), String(storedEnd)],
  );

  const inserted = await c.run(
    `insert into event_conflicts (
  source, event_id, event_time, stored_origin, stored_position, stored_batch_id, stored_digest,
  origin, position, incoming_digest, differs, run_id, detected_at
)
select
  source, event_id, stored_time, stored_origin, stored_position, stored_batch_id, stored_digest,
  origin, position, incoming_digest, differs, $1, now()
from (
  select
    k.source, k.event_id, k.stored_time, k.stored_origin, k.stored_position, k.stored_batch_id,
    ${rawDigestSql('k.stored_raw')} as stored_digest,
    k.origin, k.position,
    ${rawDigestSql('r.raw')} as incoming_digest,
    k.differs
  from temp.conflict_compared k
  join temp.conflict_rejected r
    on r.origin = k.origin
    and r.position = k.position
  where not k.same
    -- A copy equal to any stored copy is an ordinary duplicate.
    and not exists (
      select 1
      from temp.conflict_compared s
      where s.origin = k.origin
        and s.position = k.position
        and s.same
    )
) x
where not exists (
  select 1
  from event_conflicts p
  where p.source = x.source
    and p.event_id = x.event_id
    and p.incoming_digest = x.incoming_digest
)
qualify row_number() over (
  partition by x.source, x.event_id, x.incoming_digest
  order by x.origin, x.position, x.stored_batch_id, x.stored_origin, x.stored_position
) = 1`,
    [scan.runId],
  );
  for (const table of ['conflict_compared', 'conflict_collisions', 'conflict_rejected']) {
    await c.run(`drop table if exists temp.${table}`);
  }
  return Number(inserted.rowsChanged);
}

export interface ConflictSummary {
  /** Conflicting copies recorded, all time. */
  recorded: number;
  /** Distinct (source, event_id) with at least one. */
  events: number;
  /** When the last one was recorded (ISO 8601 UTC), null when none. */
  last_detected_at: string | null;
}

/** What `auditlake verify` reports about conflicts. */
export async function conflictSummary(c: DuckDBConnection): Promise<ConflictSummary> {
  const reader = await c.runAndReadAll(
    `select
  count(*)::bigint,
  count(distinct (source, event_id))::bigint,
  ${utcText('max(detected_at)')}
from event_conflicts`,
  );
  const [recorded, events, last] = reader.getRows()[0] ?? [0, 0, null];
  return {
    recorded: Number(recorded),
    events: Number(events),
    last_detected_at: last === null || last === undefined ? null : String(last),
  };
}
