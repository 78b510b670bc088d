import type { DuckDBConnection } from '@duckdb/node-api';

/** interrupted: the process died while `running` (set by the next `auditlake run`). */
export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted';

export interface RunCounts {
  events_read: number;
  events_new: number;
  events_duplicate: number;
  errors: number;
  files_read: number;
  files_skipped: number;
}

/** Records the start of a command; returns its run id. */
export async function startRun(connection: DuckDBConnection, command: string): Promise<number> {
  const reader = await connection.runAndReadAll(
    `insert into runs (command, started_at, status) values ($1, now(), 'running') returning run_id`,
    [command],
  );
  return Number(reader.getRows()[0]?.[0]);
}

export async function finishRun(
  connection: DuckDBConnection,
  runId: number,
  status: RunStatus,
  counts: RunCounts,
  details: unknown,
): Promise<void> {
  await connection.run(
    `update runs
set ended_at = now(), status = $2, events_read = $3, events_new = $4, events_duplicate = $5,
  errors = $6, files_read = $7, files_skipped = $8, details = $9::json
where run_id = $1`,
    [
      runId,
      status,
      counts.events_read,
      counts.events_new,
      counts.events_duplicate,
      counts.errors,
      counts.files_read,
      counts.files_skipped,
      JSON.stringify(details ?? null),
    ],
  );
}

/**
 * Marks rows still `running` as interrupted. Only safe while holding the store open for writing:
 * DuckDB lets one process write a store, so no other command can be running then; such a row is
 * a process that died (killed, crashed, out of memory). Returns their run ids.
 */
export async function markInterruptedRuns(connection: DuckDBConnection): Promise<number[]> {
  const reader = await connection.runAndReadAll(
    `update runs
set status = 'interrupted'
where status = 'running'
returning run_id`,
  );
  return reader
    .getRows()
    .map(([id]) => Number(id))
    .sort((a, b) => a - b);
}

/** A row of `runs` as `auditlake runs` lists it (docs/operations.md). */
export interface RunRecord extends RunCounts {
  run_id: number;
  command: string;
  status: string;
  /** ISO 8601, UTC. */
  started_at: string;
  ended_at: string | null;
  duration_s: number | null;
  details: unknown;
}

/** The latest runs, newest first; `command` keeps only runs of that command (`run`, `detect`, ...). */
export async function listRuns(
  connection: DuckDBConnection,
  options: { limit: number; command?: string | undefined },
): Promise<RunRecord[]> {
  const reader = await connection.runAndReadAll(
    `select run_id, command, status,
  strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') as started_at,
  strftime(ended_at, '%Y-%m-%dT%H:%M:%S.%gZ') as ended_at,
  round(epoch(ended_at) - epoch(started_at), 3) as duration_s,
  events_read, events_new, events_duplicate, errors, files_read, files_skipped,
  details::varchar as details
from runs
where $2::varchar is null
  or command = $2
order by run_id desc
limit $1`,
    [options.limit, options.command ?? null],
  );
  return reader.getRowObjectsJS().map((r) => ({
    run_id: Number(r.run_id),
    command: String(r.command),
    status: String(r.status),
    started_at: String(r.started_at),
    ended_at: r.ended_at === null ? null : String(r.ended_at),
    duration_s: r.duration_s === null ? null : Number(r.duration_s),
    events_read: Number(r.events_read),
    events_new: Number(r.events_new),
    events_duplicate: Number(r.events_duplicate),
    errors: Number(r.errors),
    files_read: Number(r.files_read),
    files_skipped: Number(r.files_skipped),
    details: r.details === null ? null : (JSON.parse(String(r.details)) as unknown),
  }));
}
