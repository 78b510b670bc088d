import type { DuckDBConnection } from '@duckdb/node-api';
import {
  BATCH_EVENTS_DIGEST_SQL,
  CHAIN_ALGORITHM,
  GENESIS_DIGEST,
  linkDigestSql,
  SLICE_DIGEST_SQL,
  sliceDigestsSql,
  utcDay,
} from './chain-sql.js';

/** The last link of the chain, or null for a store with no batch yet. */
export interface ChainHead {
  batch_id: number;
  digest: string;
}

/**
 * The batch id and previous digest for the next link. Ids are max + 1, gap-free in commit order:
 * the store has one writing process (DuckDB's file lock) and the writer commits one batch at a
 * time, so a missing number always means a missing batch.
 */
export async function nextLink(
  connection: DuckDBConnection,
): Promise<{ batchId: number; prevDigest: string }> {
  const head = await readHead(connection);
  return head
    ? { batchId: head.batch_id + 1, prevDigest: head.digest }
    : { batchId: 1, prevDigest: GENESIS_DIGEST };
}

export async function readHead(connection: DuckDBConnection): Promise<ChainHead | null> {
  const reader = await connection.runAndReadAll(
    `select batch_id, digest
from event_batches
order by batch_id desc
limit 1`,
  );
  const row = reader.getRows()[0];
  return row ? { batch_id: Number(row[0]), digest: String(row[1]) } : null;
}

export interface LinkInput {
  batchId: number;
  prevDigest: string;
  runId: number | null;
  connector: string;
}

/**
 * Extends the chain with the events just stored under `batchId`; call inside the writer's
 * transaction, after the insert. Hashes the rows as stored (read back from `events`), so the
 * digests cover exactly what a later verify will read, including `ingested_at`.
 */
export async function extendChain(connection: DuckDBConnection, link: LinkInput): Promise<void> {
  await connection.run(
    `insert into batch_days (batch_id, source, day, events, digest)
select batch_id, source, day, events, digest
from (${sliceDigestsSql('e.batch_id = $1')})`,
    [link.batchId],
  );
  await insertLink(connection, link);
}

/**
 * Extends the chain with a batch whose event digests were computed before the insert: `table`
 * holds the batch's rows with `d`, each row's eventDigestSql over exactly the values inserted, and
 * `keep` selects the rows that became events. Same slices as extendChain, without reading the
 * events back: the staging side hashed them while the previous batch committed.
 */
export async function extendChainFromDigests(
  connection: DuckDBConnection,
  link: LinkInput,
  table: string,
  keep: string,
): Promise<void> {
  await connection.run(
    `insert into batch_days (batch_id, source, day, events, digest)
select $1::bigint, source, ${utcDay('event_time')} as day, count(*)::bigint, ${SLICE_DIGEST_SQL}
from ${table}
where ${keep}
group by source, day`,
    [link.batchId],
  );
  await insertLink(connection, link);
}

async function insertLink(connection: DuckDBConnection, link: LinkInput): Promise<void> {
  await connection.run(
    `insert into event_batches (batch_id, run_id, connector, committed_at, events, events_digest, prev_digest, digest, algorithm)
select
  b.batch_id, b.run_id, b.connector, b.committed_at, b.events, b.events_digest, b.prev_digest,
  ${linkDigestSql('b')},
  b.algorithm
from (
  select
    $1::bigint as batch_id,
    $2::bigint as run_id,
    $3::varchar as connector,
    now() as committed_at,
    sum(s.events)::bigint as events,
    ${BATCH_EVENTS_DIGEST_SQL} as events_digest,
    $4::varchar as prev_digest,
    '${CHAIN_ALGORITHM}' as algorithm
  from batch_days s
  where s.batch_id = $1
  having count(*) > 0
) b`,
    [link.batchId, link.runId, link.connector, link.prevDigest],
  );
}
