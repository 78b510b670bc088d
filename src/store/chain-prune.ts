import type { DuckDBConnection } from '@duckdb/node-api';
import { describeError, StoreError } from '../errors.js';
import { annotate, checkSlices, dayBounds } from './chain-verify.js';

export interface PrunedDay {
  source: string;
  day: string;
  events: number;
  root: string;
  last_batch_id: number;
}

export interface PruneOutcome {
  /** Events of UTC days before this one (YYYY-MM-DD) were deleted. */
  before: string;
  events_deleted: number;
  /** The days recorded in pruned_days by this call. */
  days: PrunedDay[];
}

/**
 * Deletes the events of every whole UTC day before `before`'s day and records each pruned day's
 * root in `pruned_days`, so the chain still verifies without them: the batch slices are kept, and
 * verify checks them against the recorded root instead of against the (gone) events.
 *
 * Refuses when the days to prune do not verify: pruning must not launder tampered events into a
 * root nobody can check any more. One transaction: a crash prunes all or nothing.
 */
export async function pruneEvents(connection: DuckDBConnection, before: Date): Promise<PruneOutcome> {
  const bounds = dayBounds({ to: new Date(Math.floor(before.getTime() / 86_400_000) * 86_400_000) });
  const beforeDay = bounds.to ?? '';
  await connection.run('begin transaction');
  try {
    const check = await checkSlices(connection, { from: null, to: beforeDay });
    if (check.problems.length > 0) {
      const [first] = await annotate(connection, check.problems);
      throw new StoreError(
        `refusing to prune before ${beforeDay}: the chain is broken at batch ${first?.batch_id ?? 'none'}, ` +
          `source ${first?.source}, day ${first?.day} (${first?.kind}: ${first?.detail})`,
        { hint: 'run `auditlake verify` and investigate before pruning' },
      );
    }
    // Days with batches not yet covered by an earlier prune (late events for an already pruned
    // day get a new, larger root).
    const reader = await connection.runAndReadAll(
      `insert or replace into pruned_days (source, day, events, batches, root, last_batch_id, pruned_at)
select d.source, d.day, d.events, d.batches, d.root, d.last_batch_id, now()
from chain_days d
left join pruned_days p
  on p.source = d.source
  and p.day = d.day
where d.day < date '${beforeDay}'
  and d.last_batch_id > coalesce(p.last_batch_id, -1)
returning source, day::varchar, events, root, last_batch_id`,
    );
    const days = reader
      .getRows()
      .map(([source, day, events, root, last]) => ({
        source: String(source),
        day: String(day),
        events: Number(events),
        root: String(root),
        last_batch_id: Number(last),
      }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.source.localeCompare(b.source));
    const deleted = await connection.run(
      `delete from events
where event_time < timestamptz '${beforeDay}T00:00:00Z'`,
    );
    await connection.run('commit');
    return { before: beforeDay, events_deleted: Number(deleted.rowsChanged), days };
  } catch (error) {
    try {
      await connection.run('rollback');
    } catch {
      // The transaction may already be aborted; the original error is the one to report.
    }
    if (error instanceof StoreError) throw error;
    throw new StoreError(`pruning events failed: ${describeError(error).split('\n')[0]}`, { cause: error });
  }
}
