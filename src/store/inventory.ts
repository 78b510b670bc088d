import type { DuckDBConnection } from '@duckdb/node-api';

/** Read-side summaries of what the store holds, for command output. */

export interface DayCounts {
  day: string;
  aws: number;
  gcp: number;
  azure: number;
  total: number;
}

export async function eventsPerDay(connection: DuckDBConnection): Promise<DayCounts[]> {
  const reader = await connection.runAndReadAll(
    `select strftime(event_time::date, '%Y-%m-%d') as day,
  count(*) filter (where source = 'aws')::int as aws,
  count(*) filter (where source = 'gcp')::int as gcp,
  count(*) filter (where source = 'azure')::int as azure,
  count(*)::int as total
from events
group by all
order by day`,
  );
  return reader.getRowObjectsJS() as unknown as DayCounts[];
}

export interface FormatCounts {
  source: string;
  format: string;
  accounts: number;
  actors: number;
  events: number;
  first_event: string;
  last_event: string;
}

export async function eventsPerFormat(connection: DuckDBConnection): Promise<FormatCounts[]> {
  const reader = await connection.runAndReadAll(
    `select source, format,
  count(distinct account)::int as accounts,
  count(distinct actor)::int as actors,
  count(*)::int as events,
  strftime(min(event_time), '%Y-%m-%dT%H:%M:%SZ') as first_event,
  strftime(max(event_time), '%Y-%m-%dT%H:%M:%SZ') as last_event
from events
group by all
order by source, format`,
  );
  return reader.getRowObjectsJS() as unknown as FormatCounts[];
}

export interface IngestErrorSummary {
  origin: string;
  position: string | null;
  reason: string;
}

export async function ingestErrorsOfRun(
  connection: DuckDBConnection,
  runId: number,
  limit: number,
): Promise<IngestErrorSummary[]> {
  const reader = await connection.runAndReadAll(
    `select origin, position, reason
from ingest_errors
where run_id = $1
order by origin, position
limit $2`,
    [runId, limit],
  );
  return reader.getRowObjectsJS() as unknown as IngestErrorSummary[];
}
