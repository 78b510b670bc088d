import type { DuckDBConnection } from '@duckdb/node-api';

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed';

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
