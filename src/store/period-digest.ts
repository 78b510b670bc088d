import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The store's integrity digest for a period, printed on a report's cover so a reader can check
 * that the store still holds exactly the events the report was computed from. A later hash-chain
 * issue will replace it with a chain the writer maintains.
 *
 * Canonical form: for each UTC day and source, DuckDB hashes the lines
 * `event_id <space> md5(raw)` ordered by event_id (sha256); the period digest is the sha256 of the
 * lines `source day events day_digest` ordered by source and day. Day by day, because one
 * string_agg over a 10-million-event month would need gigabytes of memory; the per-day digests
 * are also what a daily hash chain will need.
 */

export const DIGEST_METHOD =
  'sha256 over "source day count day_sha256" lines (source, day order); day_sha256 = sha256 of ' +
  '"event_id md5(raw)" lines in event_id order, computed in DuckDB';

export interface DayDigest {
  source: string;
  day: string;
  events: number;
  sha256: string;
}

export interface PeriodDigest {
  algorithm: 'sha256';
  method: string;
  value: string;
  events: number;
  days: DayDigest[];
}

const DAY_MS = 86_400_000;

/** One day's SQL, as printed in reports so anyone can recompute a day's digest. */
export function dayDigestSql(dayStart: string, dayEnd: string): string {
  return `select source,
  count(*) as events,
  sha256(string_agg(event_id || ' ' || md5(raw::varchar), chr(10) order by event_id, md5(raw::varchar))) as sha256
from events
where event_time >= timestamptz '${dayStart}'
  and event_time < timestamptz '${dayEnd}'
group by source
order by source`;
}

export async function periodDigest(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
): Promise<PeriodDigest> {
  const days: DayDigest[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) {
    const start = new Date(t);
    const end = new Date(Math.min(t + DAY_MS, to.getTime()));
    const reader = await connection.runAndReadAll(dayDigestSql(start.toISOString(), end.toISOString()));
    for (const [source, events, sha] of reader.getRows()) {
      days.push({
        source: String(source),
        day: start.toISOString().slice(0, 10),
        events: Number(events),
        sha256: String(sha),
      });
    }
  }
  days.sort((a, b) =>
    a.source === b.source ? a.day.localeCompare(b.day) : a.source.localeCompare(b.source),
  );
  const hash = createHash('sha256');
  for (const d of days) hash.update(`${d.source} ${d.day} ${d.events} ${d.sha256}\n`);
  return {
    algorithm: 'sha256',
    method: DIGEST_METHOD,
    value: hash.digest('hex'),
    events: days.reduce((n, d) => n + d.events, 0),
    days,
  };
}
