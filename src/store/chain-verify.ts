import type { DuckDBConnection } from '@duckdb/node-api';
import {
  BATCH_EVENTS_DIGEST_SQL,
  CHAIN_ALGORITHM,
  DAY_ROOT_SQL,
  GENESIS_DIGEST,
  linkDigestSql,
  sliceDigestsSql,
} from './chain-sql.js';

/** UTC days overlapping [from, to); either end may be open. */
export interface DayRange {
  from?: Date | undefined;
  to?: Date | undefined;
}

export type ChainProblemKind =
  /** A slice's events are all there but at least one differs from what was committed. */
  | 'events_changed'
  /** Fewer events than committed in a slice (or the whole slice gone). */
  | 'events_deleted'
  /** More events than committed in a slice, or events in a slice the batch never had. */
  | 'events_inserted'
  /** Events without a batch: written to the store by something other than the batch writer. */
  | 'events_unchained'
  /** A batch the chain or its slices refer to has no link (deleted), or a gap in batch ids. */
  | 'batch_missing'
  /** A batch's day slices no longer add up to the events digest its link recorded. */
  | 'batch_altered'
  /** A link's own fields no longer give its digest, or it does not point at the previous link. */
  | 'link_broken'
  /** A pruned day's kept slices no longer give the root recorded when it was pruned. */
  | 'pruned_day_altered'
  /** Against an export: the exported head or a day's last batch has another digest now. */
  | 'export_head_mismatch'
  /** Against an export: a day's root as of the exported batch differs, or the day is gone. */
  | 'export_day_changed'
  /** Against an export: the store has a day, up to the exported head, that the export does not. */
  | 'export_day_unlisted';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The batch at fault, when one can be named (null for events outside any batch). */
  batch_id: number | null;
  source: string | null;
  /** UTC day, YYYY-MM-DD. */
  day: string | null;
  run_id: number | null;
  committed_at: string | null;
  detail: string;
}

export interface ChainVerification {
  status: 'intact' | 'broken';
  algorithm: string;
  /** The UTC days whose events were recomputed (null: unbounded). */
  range: { from: string | null; to: string | null };
  checked: { batches: number; slices: number; events: number; pruned_days: number };
  head: { batch_id: number; digest: string; committed_at: string; events: number } | null;
  /** The earliest problem in batch order: what to look at first. */
  first_break: ChainProblem | null;
  problems_total: number;
  /** The first MAX_PROBLEMS problems, earliest first. */
  problems: ChainProblem[];
}

export const MAX_PROBLEMS = 50;
const DAY_MS = 86_400_000;

/** The range as UTC day bounds: from rounded down, to rounded up to a midnight. */
export function dayBounds(range: DayRange): { from: string | null; to: string | null } {
  const from = range.from ? new Date(Math.floor(range.from.getTime() / DAY_MS) * DAY_MS) : null;
  const to = range.to ? new Date(Math.ceil(range.to.getTime() / DAY_MS) * DAY_MS) : null;
  return { from: from ? isoDay(from) : null, to: to ? isoDay(to) : null };
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** SQL conditions for a day range; the bounds come from Date.toISOString, never from input text. */
export function dayConditions(
  bounds: { from: string | null; to: string | null },
  dayColumn: string,
  timeColumn?: string,
): string {
  const parts: string[] = ['true'];
  if (bounds.from) {
    parts.push(`${dayColumn} >= date '${bounds.from}'`);
    if (timeColumn) parts.push(`${timeColumn} >= timestamptz '${bounds.from}T00:00:00Z'`);
  }
  if (bounds.to) {
    parts.push(`${dayColumn} < date '${bounds.to}'`);
    if (timeColumn) parts.push(`${timeColumn} < timestamptz '${bounds.to}T00:00:00Z'`);
  }
  return parts.join('\n    and ');
}

export type Unannotated = Omit<ChainProblem, 'run_id' | 'committed_at'>;

/**
 * Recomputes every slice (batch, source, day) of the range from `events` and compares it with
 * `batch_days`. Slices of pruned days up to the batch they were pruned at are expected to have no
 * events left. This is the expensive part of verify: one sha256 per event.
 */
export async function checkSlices(
  connection: DuckDBConnection,
  bounds: { from: string | null; to: string | null },
  windowEvents: number = WINDOW_EVENTS,
): Promise<{ problems: Unannotated[]; slices: number; events: number }> {
  const out = { problems: [] as Unannotated[], slices: 0, events: 0 };
  for (const window of await dayWindows(connection, bounds, windowEvents)) {
    const part = await checkSliceWindow(connection, window);
    out.problems.push(...part.problems);
    out.slices += part.slices;
    out.events += part.events;
  }
  return out;
}

/** Events per recomputation: each holds its events' digests in memory to sort them per slice. */
const WINDOW_EVENTS = 1_500_000;

/**
 * The range cut into runs of whole UTC days of about WINDOW_EVENTS committed events each, covering
 * every day from the first to the last that has a slice or an event: recomputing a month of a
 * 10M-event store in one statement peaked at 1.7 GiB; a day or a few at a time stays flat.
 */
export async function dayWindows(
  connection: DuckDBConnection,
  bounds: { from: string | null; to: string | null },
  windowEvents: number = WINDOW_EVENTS,
): Promise<{ from: string; to: string }[]> {
  const reader = await connection.runAndReadAll(
    `with days as (
  select s.day, sum(s.events)::bigint as events
  from batch_days s
  where ${dayConditions(bounds, 's.day')}
  group by s.day
),
stored as (
  select min(e.event_time) as first, max(e.event_time) as last
  from events e
  where ${dayConditions(bounds, `(e.event_time at time zone 'UTC')::date`, 'e.event_time')}
)
select
  least((select min(day) from days), (select (first at time zone 'UTC')::date from stored))::varchar,
  greatest((select max(day) from days), (select (last at time zone 'UTC')::date from stored))::varchar,
  coalesce((select list({'day': day::varchar, 'events': events} order by day) from days), [])`,
  );
  const [first, last, perDay] = reader.getRows()[0] ?? [null, null, null];
  if (first === null || last === null) return [];
  const committed = new Map<string, number>();
  for (const item of (perDay as { items: { entries: { day: string; events: bigint } }[] }).items) {
    committed.set(item.entries.day, Number(item.entries.events));
  }
  const windows: { from: string; to: string }[] = [];
  let start = String(first);
  let events = 0;
  for (let day = start; day <= String(last); day = nextDay(day)) {
    events += committed.get(day) ?? 0;
    if (events >= windowEvents || day === String(last)) {
      windows.push({ from: start, to: nextDay(day) });
      start = nextDay(day);
      events = 0;
    }
  }
  return windows;
}

function nextDay(day: string): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS));
}

async function checkSliceWindow(
  connection: DuckDBConnection,
  bounds: { from: string; to: string },
): Promise<{ problems: Unannotated[]; slices: number; events: number }> {
  const eventWhere = dayConditions(bounds, `(e.event_time at time zone 'UTC')::date`, 'e.event_time');
  const reader = await connection.runAndReadAll(
    `with actual as (
  ${sliceDigestsSql(eventWhere)}
),
expected as (
  select s.batch_id, s.source, s.day, s.events, s.digest
  from batch_days s
  left join pruned_days p
    on p.source = s.source
    and p.day = s.day
  where ${dayConditions(bounds, 's.day')}
    and (p.last_batch_id is null or s.batch_id > p.last_batch_id)
)
select
  coalesce(x.batch_id, a.batch_id) as batch_id,
  coalesce(x.source, a.source) as source,
  coalesce(x.day, a.day)::varchar as day,
  x.events as expected_events,
  a.events as actual_events,
  x.digest is not distinct from a.digest as same_digest
from expected x
full outer join actual a
  on a.batch_id = x.batch_id
  and a.source = x.source
  and a.day = x.day`,
  );
  const problems: Unannotated[] = [];
  let slices = 0;
  let events = 0;
  for (const row of reader.getRows()) {
    const [batch, source, day, expectedRaw, actualRaw, same] = row;
    const batchId = batch === null ? null : Number(batch);
    const expected = expectedRaw === null ? null : Number(expectedRaw);
    const actual = actualRaw === null ? 0 : Number(actualRaw);
    if (expected !== null) slices++;
    events += actual;
    const at = { batch_id: batchId, source: String(source), day: String(day) };
    if (expected === null) {
      problems.push(
        batchId === null
          ? { ...at, kind: 'events_unchained', detail: `${actual} event(s) stored outside any batch` }
          : {
              ...at,
              kind: 'events_inserted',
              detail: `${actual} event(s) the batch never committed for this day`,
            },
      );
    } else if (actual < expected) {
      problems.push({
        ...at,
        kind: 'events_deleted',
        detail: `${actual} of ${expected} committed event(s) left`,
      });
    } else if (actual > expected) {
      problems.push({ ...at, kind: 'events_inserted', detail: `${actual} event(s), ${expected} committed` });
    } else if (same !== true) {
      problems.push({
        ...at,
        kind: 'events_changed',
        detail: `${actual} event(s) as committed, but their digest differs: at least one was changed`,
      });
    }
  }
  return { problems, slices, events };
}

/** Recomputes every link from the stored rows: slices → events digest → link digest → next link. */
async function checkLinks(
  connection: DuckDBConnection,
): Promise<{ problems: Unannotated[]; batches: number }> {
  const reader = await connection.runAndReadAll(
    `with slices as (
  select s.batch_id, sum(s.events)::bigint as events, ${BATCH_EVENTS_DIGEST_SQL} as events_digest
  from batch_days s
  group by s.batch_id
),
links as (
  select
    b.batch_id,
    b.algorithm,
    b.events,
    b.events_digest,
    b.prev_digest,
    b.digest,
    s.events as slice_events,
    s.events_digest as slice_digest,
    ${linkDigestSql('b')} as recomputed,
    lag(b.digest) over (order by b.batch_id) as previous_digest,
    lag(b.batch_id) over (order by b.batch_id) as previous_batch_id
  from event_batches b
  left join slices s
    on s.batch_id = b.batch_id
)
select
  batch_id,
  algorithm,
  events,
  slice_events,
  slice_digest is not distinct from events_digest as same_events,
  recomputed = digest as same_digest,
  prev_digest = coalesce(previous_digest, '${GENESIS_DIGEST}') as same_prev,
  previous_batch_id
from links
order by batch_id`,
  );
  const problems: Unannotated[] = [];
  const rows = reader.getRows();
  for (const [batch, algorithm, events, sliceEvents, sameEvents, sameDigest, samePrev, previous] of rows) {
    const batchId = Number(batch);
    const at = { batch_id: batchId, source: null, day: null };
    const expectedId = previous === null ? null : Number(previous) + 1;
    if (expectedId !== null ? batchId !== expectedId : batchId > 1) {
      problems.push({
        ...at,
        kind: 'batch_missing',
        detail: `batch(es) ${expectedId ?? (batchId === 1 ? 0 : 1)}..${batchId - 1} before this one are missing`,
      });
    }
    if (algorithm !== CHAIN_ALGORITHM) {
      problems.push({ ...at, kind: 'link_broken', detail: `unknown chain algorithm "${String(algorithm)}"` });
    } else if (sameDigest !== true) {
      problems.push({ ...at, kind: 'link_broken', detail: "the link's fields no longer give its digest" });
    }
    if (samePrev !== true) {
      problems.push({
        ...at,
        kind: 'link_broken',
        detail: "prev_digest is not the previous link's digest: a link was removed or rewritten",
      });
    }
    if (sameEvents !== true) {
      problems.push({
        ...at,
        kind: 'batch_altered',
        detail: `its day slices (${sliceEvents === null ? 'none' : String(sliceEvents)} events) no longer give the events digest its link recorded (${String(events)} events)`,
      });
    }
  }
  const orphans = await connection.runAndReadAll(
    `select s.batch_id, s.source, s.day::varchar, s.events
from batch_days s
anti join event_batches b
  on b.batch_id = s.batch_id
order by s.batch_id, s.day, s.source`,
  );
  for (const [batch, source, day, events] of orphans.getRows()) {
    problems.push({
      kind: 'batch_missing',
      batch_id: Number(batch),
      source: String(source),
      day: String(day),
      detail: `${String(events)} event(s) recorded for a batch whose link is gone`,
    });
  }
  return { problems, batches: rows.length };
}

/** A pruned day's kept slices, up to the batch it was pruned at, must still give its recorded root. */
async function checkPruned(
  connection: DuckDBConnection,
  bounds: { from: string | null; to: string | null },
): Promise<{ problems: Unannotated[]; days: number }> {
  const reader = await connection.runAndReadAll(
    `with kept as (
  select s.source, s.day, sum(s.events)::bigint as events, ${DAY_ROOT_SQL} as root
  from batch_days s
  join pruned_days p
    on p.source = s.source
    and p.day = s.day
    and s.batch_id <= p.last_batch_id
  group by s.source, s.day
)
select p.source, p.day::varchar, p.last_batch_id, p.events, k.events, p.root = k.root as same_root
from pruned_days p
left join kept k
  on k.source = p.source
  and k.day = p.day
where ${dayConditions(bounds, 'p.day')}
order by p.day, p.source`,
  );
  const problems: Unannotated[] = [];
  const rows = reader.getRows();
  for (const [source, day, lastBatch, events, keptEvents, sameRoot] of rows) {
    if (sameRoot === true && Number(events) === Number(keptEvents)) continue;
    problems.push({
      kind: 'pruned_day_altered',
      batch_id: Number(lastBatch),
      source: String(source),
      day: String(day),
      detail: `pruned with ${String(events)} event(s); its kept batch slices no longer give the recorded root`,
    });
  }
  return { problems, days: rows.length };
}

/** Earliest batch first (events outside any batch last), then day and source. */
export function sortProblems<T extends Unannotated>(problems: T[]): T[] {
  const key = (p: Unannotated) => (p.batch_id === null ? Number.MAX_SAFE_INTEGER : p.batch_id);
  return problems.sort(
    (a, b) =>
      key(a) - key(b) ||
      (a.day ?? '').localeCompare(b.day ?? '') ||
      (a.source ?? '').localeCompare(b.source ?? ''),
  );
}

/** Adds each problem's run and commit time from its batch's link, where there is one. */
export async function annotate(
  connection: DuckDBConnection,
  problems: Unannotated[],
): Promise<ChainProblem[]> {
  const ids = [...new Set(problems.map((p) => p.batch_id).filter((id): id is number => id !== null))];
  const links = new Map<number, { run_id: number | null; committed_at: string }>();
  if (ids.length > 0) {
    const reader = await connection.runAndReadAll(
      `select batch_id, run_id, strftime(committed_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')
from event_batches
where batch_id in (${ids.map(Number).join(', ')})`,
    );
    for (const [batch, run, at] of reader.getRows()) {
      links.set(Number(batch), { run_id: run === null ? null : Number(run), committed_at: String(at) });
    }
  }
  return sortProblems(problems).map((p) => {
    const link = p.batch_id === null ? undefined : links.get(p.batch_id);
    return { ...p, run_id: link?.run_id ?? null, committed_at: link?.committed_at ?? null };
  });
}

export async function readChainHead(connection: DuckDBConnection): Promise<ChainVerification['head']> {
  const reader = await connection.runAndReadAll(
    `select
  b.batch_id,
  b.digest,
  strftime(b.committed_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'),
  (select sum(events) from event_batches)::bigint
from event_batches b
order by b.batch_id desc
limit 1`,
  );
  const row = reader.getRows()[0];
  if (!row) return null;
  return {
    batch_id: Number(row[0]),
    digest: String(row[1]),
    committed_at: String(row[2]),
    events: Number(row[3]),
  };
}

/**
 * Recomputes the chain: the events of every slice in the range, and every link of the whole chain
 * (cheap: it reads only the chain tables). Names the first broken link, earliest batch first.
 */
export async function verifyChain(
  connection: DuckDBConnection,
  range: DayRange = {},
  extra: readonly Unannotated[] = [],
  options: { windowEvents?: number | undefined } = {},
): Promise<ChainVerification> {
  const bounds = dayBounds(range);
  const slices = await checkSlices(connection, bounds, options.windowEvents);
  const links = await checkLinks(connection);
  const pruned = await checkPruned(connection, bounds);
  const problems = await annotate(connection, [
    ...slices.problems,
    ...links.problems,
    ...pruned.problems,
    ...extra,
  ]);
  return {
    status: problems.length === 0 ? 'intact' : 'broken',
    algorithm: CHAIN_ALGORITHM,
    range: bounds,
    checked: {
      batches: links.batches,
      slices: slices.slices,
      events: slices.events,
      pruned_days: pruned.days,
    },
    head: await readChainHead(connection),
    first_break: problems[0] ?? null,
    problems_total: problems.length,
    problems: problems.slice(0, MAX_PROBLEMS),
  };
}
