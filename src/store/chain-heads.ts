import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { AuditlakeError } from '../errors.js';
import { CHAIN_ALGORITHM, DAY_ROOT_SQL } from './chain-sql.js';
import { type DayRange, dayBounds, dayConditions, readChainHead, type Unannotated } from './chain-verify.js';

/**
 * Chain heads for safekeeping outside the store (docs/integrity.md): whoever can write the store
 * can rebuild the whole chain consistently, but not make it end in heads exported earlier to
 * write-once storage.
 */

export const HEADS_FORMAT = 'auditlake-chain-heads/v1';

const dayHeadSchema = z.object({
  source: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  events: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  root: z.string().regex(/^[0-9a-f]{64}$/),
  last_batch_id: z.number().int().nonnegative(),
  last_batch_digest: z.string().regex(/^[0-9a-f]{64}$/),
  pruned: z.boolean(),
});

const headsSchema = z.object({
  format: z.literal(HEADS_FORMAT),
  algorithm: z.literal(CHAIN_ALGORITHM),
  exported_at: z.string(),
  range: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  head: z
    .object({
      batch_id: z.number().int().nonnegative(),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
      committed_at: z.string(),
      events: z.number().int().nonnegative(),
    })
    .nullable(),
  days: z.array(dayHeadSchema),
});

export type DayHead = z.infer<typeof dayHeadSchema>;
export type ChainHeads = z.infer<typeof headsSchema>;

/** Day roots of the range (all batches so far), with each day's last batch and its link digest. */
export async function exportChainHeads(
  connection: DuckDBConnection,
  range: DayRange = {},
): Promise<ChainHeads> {
  const bounds = dayBounds(range);
  const reader = await connection.runAndReadAll(
    `select
  d.source,
  d.day::varchar,
  d.events,
  d.batches,
  d.root,
  d.last_batch_id,
  b.digest,
  p.source is not null as pruned
from chain_days d
left join event_batches b
  on b.batch_id = d.last_batch_id
left join pruned_days p
  on p.source = d.source
  and p.day = d.day
where ${dayConditions(bounds, 'd.day')}
order by d.source, d.day`,
  );
  const days: DayHead[] = reader
    .getRows()
    .map(([source, day, events, batches, root, last, digest, pruned]) => ({
      source: String(source),
      day: String(day),
      events: Number(events),
      batches: Number(batches),
      root: String(root),
      last_batch_id: Number(last),
      last_batch_digest: String(digest),
      pruned: pruned === true,
    }));
  return {
    format: HEADS_FORMAT,
    algorithm: CHAIN_ALGORITHM,
    exported_at: new Date().toISOString(),
    range: bounds,
    head: await readChainHead(connection),
    days,
  };
}

/** Reads an export written by `auditlake verify --export`. */
export function parseChainHeads(text: string, file: string): ChainHeads {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuditlakeError('input', `${file} is not JSON`, { context: { file }, cause: error });
  }
  const parsed = headsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditlakeError(
      'input',
      `${file} is not an auditlake chain heads export: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}`,
      { context: { file }, hint: 'write one with `auditlake verify --export FILE`' },
    );
  }
  return parsed.data;
}

/**
 * Checks the store's chain against exported heads: the exported head link and each day's last
 * batch must still have their digests, each day's root as of its exported last batch must be the
 * same, and no day may have gained batches up to the exported head. Later batches are new
 * ingests and fine. Run with verifyChain, which checks the events against the chain.
 */
export async function checkAgainstHeads(
  connection: DuckDBConnection,
  heads: ChainHeads,
): Promise<Unannotated[]> {
  const problems: Unannotated[] = [];
  if (heads.head) {
    const reader = await connection.runAndReadAll(
      `select digest
from event_batches
where batch_id = $1`,
      [heads.head.batch_id],
    );
    const digest = reader.getRows()[0]?.[0];
    if (digest !== heads.head.digest) {
      problems.push({
        kind: 'export_head_mismatch',
        batch_id: heads.head.batch_id,
        source: null,
        day: null,
        detail:
          digest === undefined
            ? 'the exported chain head is not in the store'
            : 'the exported chain head has another digest now: the chain was rebuilt up to it',
      });
    }
  }
  const reader = await connection.runAndReadAll(
    `with heads as (
  select unnest(from_json($1::json, '[{"source":"VARCHAR","day":"DATE","events":"BIGINT","root":"VARCHAR","last_batch_id":"BIGINT","last_batch_digest":"VARCHAR"}]'), recursive := true)
),
stored as (
  select h.source, h.day, sum(s.events)::bigint as events, ${DAY_ROOT_SQL} as root
  from heads h
  join batch_days s
    on s.source = h.source
    and s.day = h.day
    and s.batch_id <= h.last_batch_id
  group by h.source, h.day
)
select
  h.source,
  h.day::varchar,
  h.last_batch_id,
  h.events,
  st.events,
  st.root = h.root as same_root,
  b.digest = h.last_batch_digest as same_batch
from heads h
left join stored st
  on st.source = h.source
  and st.day = h.day
left join event_batches b
  on b.batch_id = h.last_batch_id`,
    [JSON.stringify(heads.days)],
  );
  for (const [source, day, last, events, storedEvents, sameRoot, sameBatch] of reader.getRows()) {
    const at = { batch_id: Number(last), source: String(source), day: String(day) };
    if (sameBatch !== true) {
      problems.push({
        ...at,
        kind: 'export_head_mismatch',
        detail: "the day's last exported batch is gone or has another digest now",
      });
    }
    if (sameRoot !== true || Number(events) !== Number(storedEvents ?? 0)) {
      problems.push({
        ...at,
        kind: 'export_day_changed',
        detail:
          storedEvents === null
            ? `exported with ${String(events)} event(s); the store has no batch for it now`
            : `exported with ${String(events)} event(s) and another root; as of batch ${String(last)} the store has ${String(storedEvents)}`,
      });
    }
  }
  if (heads.head) {
    const listed = new Set(heads.days.map((d) => `${d.source} ${d.day}`));
    const days = await connection.runAndReadAll(
      `select s.source, s.day::varchar, min(s.batch_id), sum(s.events)::bigint
from batch_days s
where s.batch_id <= $1
  and ${dayConditions(heads.range, 's.day')}
group by s.source, s.day
order by s.day, s.source`,
      [heads.head.batch_id],
    );
    for (const [source, day, first, events] of days.getRows()) {
      if (listed.has(`${String(source)} ${String(day)}`)) continue;
      problems.push({
        kind: 'export_day_unlisted',
        batch_id: Number(first),
        source: String(source),
        day: String(day),
        detail: `${String(events)} event(s) in batches up to the exported head, for a day the export does not list`,
      });
    }
  }
  return problems;
}

export interface ChainPeriodRoot {
  algorithm: 'sha256';
  method: string;
  /** sha256 over the "source day events root" lines of the period's days, in source, day order. */
  value: string;
  events: number;
  days: { source: string; day: string; events: number; sha256: string; last_batch_id: number }[];
  /** The roots cover batches up to this one: pass it back to recompute the same value later. */
  as_of_batch_id: number | null;
}

export const CHAIN_PERIOD_METHOD =
  'sha256 over "source day events day_root" lines (source, day order) of the UTC days overlapping the period; ' +
  'day_root = sha256 of the day\'s "batch_id events slice_digest" lines in batch order (chain_days view), ' +
  'as of the batch named; checked event by event with `auditlake verify --from --to`';

/**
 * The period's root from the chain's day roots (whole UTC days overlapping [from, to)), for a
 * report's cover. Reads only the chain tables, so it is cheap; `auditlake verify` is what checks
 * the events still match. `asOfBatchId` recomputes the value a report printed earlier, ignoring
 * events that arrived for those days since.
 */
export async function chainRootForPeriod(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
  asOfBatchId?: number,
): Promise<ChainPeriodRoot> {
  const bounds = dayBounds({ from, to });
  const head = await readChainHead(connection);
  const asOf = asOfBatchId ?? head?.batch_id ?? null;
  const reader = await connection.runAndReadAll(
    `select s.source, s.day::varchar, sum(s.events)::bigint, ${DAY_ROOT_SQL} as root, max(s.batch_id)
from batch_days s
where ${dayConditions(bounds, 's.day')}
  and s.batch_id <= $1
group by s.source, s.day
order by s.source, s.day`,
    [asOf ?? -1],
  );
  const days = reader.getRows().map(([source, day, events, root, last]) => ({
    source: String(source),
    day: String(day),
    events: Number(events),
    sha256: String(root),
    last_batch_id: Number(last),
  }));
  const hash = createHash('sha256');
  for (const d of days) hash.update(`${d.source} ${d.day} ${d.events} ${d.sha256}\n`);
  return {
    algorithm: 'sha256',
    method: CHAIN_PERIOD_METHOD,
    value: hash.digest('hex'),
    events: days.reduce((n, d) => n + d.events, 0),
    days,
    as_of_batch_id: asOf,
  };
}
