import type { DuckDBConnection } from '@duckdb/node-api';
import { plainValue } from './plain-value.js';

/**
 * The activity profile (table `activity_days`): per UTC day, source, principal and account, the
 * counts and value sets the baseline detectors compare a window against. Detectors read their
 * history from it instead of rescanning a month of events every night; this module keeps it in
 * step with the store by rebuilding exactly the (source, day) slices that batches committed since
 * the last refresh touched (batch_days says which), so a nightly refresh reads one day of events.
 */

export interface ProfileRefresh {
  /** (source, day) slices rebuilt. */
  readonly slices: number;
  /** Profile rows written. */
  readonly rows: number;
  /** Slices dropped because their events were pruned. */
  readonly pruned: number;
  readonly durationMs: number;
}

export interface RefreshOptions {
  /**
   * Rebuild from the events themselves rather than from the batches' day slices: for stores whose
   * events were written behind the batch writer (test fixtures, generated benchmark stores) or to
   * repair a profile. Reads every event once.
   */
  readonly full?: boolean;
}

interface Slice {
  readonly source: string;
  readonly day: string;
  readonly through: bigint;
}

const STALE_SLICES = `
select b.source, strftime(b.day, '%Y-%m-%d') as day, max(b.batch_id) as through
from batch_days as b
left join activity_day_state as s
  on s.source = b.source
  and s.day = b.day
where not exists (select 1 from pruned_days as p where p.source = b.source and p.day = b.day)
group by b.source, b.day, s.through_batch_id
having max(b.batch_id) > coalesce(s.through_batch_id, -1)
order by b.day, b.source`;

const ALL_SLICES = `
select source, strftime((event_time at time zone 'UTC')::date, '%Y-%m-%d') as day, coalesce(max(batch_id), 0) as through
from events
group by all
order by day, source`;

/**
 * One day's profile rows for some sources. Failed sign-ins are events but not activity: anyone can fail to sign in
 * as anyone, so they count in `events` and nowhere else.
 */
const BUILD_SLICE = `
insert into activity_days
with slice as (
  select
    *,
    identity_of(actor, actor_type, actor_issuer) as identity,
    not coalesce(is_failed_signin(outcome, action, format), false) as active,
    region_key(source, region) as region_key
  from events
  where event_time >= $1::timestamptz
    and event_time < $2::timestamptz
    and source in (select unnest(from_json($3, '["varchar"]')))
    and actor is not null
)
select
  $4::date as day,
  source,
  identity,
  actor,
  account,
  actor_type,
  count(*) as events,
  count(*) filter (where outcome = 'success') as successes,
  count(*) filter (where active) as active_events,
  min(event_time) filter (where active) as first_active_at,
  max(event_time) filter (where active) as last_active_at,
  arg_max(event_id, event_time) filter (where active) as last_active_event_id,
  list(distinct (((epoch_us(event_time) // 3600000000) % 24 + 24) % 24)::utinyint) filter (where active) as hours,
  count(*) filter (where is_access_denied(outcome, action, error_code)) as denied,
  count(*) filter (where is_deletion(outcome, action)) as deletions,
  count(*) filter (where is_sensitive_read(source, service, action, outcome, actor_type, identity, source_ip, raw)) as sensitive_reads,
  count(*) filter (where is_secret_read(source, service, action, outcome, actor_type, identity, source_ip, raw)) as secret_reads,
  list(distinct region_key) filter (where outcome = 'success' and region_key is not null) as regions,
  -- Classified once per distinct address and agent rather than once per event: a day has a few
  -- thousand of each. list_distinct drops the nulls (service names, AWS services acting for a
  -- caller) and nullif keeps "none" a null, as list() filtered to no rows is.
  nullif(list_distinct(list_transform(list(distinct source_ip) filter (where source_ip is not null), ip -> network_of(ip))), []) as networks,
  nullif(list_distinct(list_transform(list(distinct user_agent) filter (where user_agent is not null), ua -> client_family(ua))), []) as client_families
from slice
group by source, identity, actor, account, actor_type`;

function dayRange(day: string): [string, string] {
  const start = new Date(`${day}T00:00:00Z`);
  const end = new Date(start.getTime() + 86_400_000);
  return [start.toISOString(), end.toISOString()];
}

async function slices(connection: DuckDBConnection, sql: string): Promise<Slice[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRows().map(([source, day, through]) => ({
    source: String(source),
    day: String(day),
    through: BigInt(String(plainValue(through ?? 0))),
  }));
}

/**
 * Brings the profile up to date, in one transaction: drops the slices of pruned days, rebuilds
 * the stale ones. Safe to run at any time and idempotent: a second call finds nothing stale.
 */
export async function refreshActivityProfile(
  connection: DuckDBConnection,
  options: RefreshOptions = {},
): Promise<ProfileRefresh> {
  const t0 = performance.now();
  await connection.run('begin transaction');
  try {
    if (options.full) {
      await connection.run('delete from activity_days');
      await connection.run('delete from activity_day_state');
    }
    const pruned = await connection.runAndReadAll(`
delete from activity_day_state as s
using pruned_days as p
where p.source = s.source and p.day = s.day
returning s.source`);
    await connection.run(`
delete from activity_days as a
using pruned_days as p
where p.source = a.source and p.day = a.day`);
    const stale = await slices(connection, options.full ? ALL_SLICES : STALE_SLICES);
    // One pass over a day's events for all of its stale sources.
    const byDay = new Map<string, Slice[]>();
    for (const slice of stale) byDay.set(slice.day, [...(byDay.get(slice.day) ?? []), slice]);
    let rows = 0;
    for (const [day, daySlices] of byDay) {
      const [start, end] = dayRange(day);
      const sources = JSON.stringify(daySlices.map((d) => d.source));
      await connection.run(
        `delete from activity_days where day = $1::date and source in (select unnest(from_json($2, '["varchar"]')))`,
        [day, sources],
      );
      const inserted = await connection.runAndReadAll(BUILD_SLICE, [start, end, sources, day]);
      rows += Number(plainValue(inserted.getRows()[0]?.[0] ?? 0));
      for (const slice of daySlices) {
        await connection.run(
          `insert or replace into activity_day_state (source, day, through_batch_id, events, built_at)
select $1, $2::date, $3::bigint, coalesce(sum(events), 0), now()
from activity_days
where source = $1 and day = $2::date`,
          [slice.source, slice.day, slice.through],
        );
      }
    }
    await connection.run('commit');
    return {
      slices: stale.length,
      rows,
      pruned: pruned.getRows().length,
      durationMs: Math.round(performance.now() - t0),
    };
  } catch (error) {
    await connection.run('rollback');
    throw error;
  }
}
