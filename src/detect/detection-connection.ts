import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Locks down a DuckDB instance opened for detection: no file system or network access (so a
 * detector cannot read local files, attach databases or load extensions from the internet),
 * UTC for date arithmetic (daily buckets mean UTC days), then the configuration is locked so the
 * SQL that follows cannot undo it. Instance-wide and irreversible: only for an instance opened
 * to run detectors (the detect command, fixture stores), never one that still has to ingest.
 */
export async function restrictForDetection(connection: DuckDBConnection): Promise<void> {
  await connection.run(`set TimeZone = 'UTC'`);
  await connection.run('set autoinstall_known_extensions = false');
  await connection.run('set autoload_known_extensions = false');
  await connection.run('set enable_external_access = false');
  await connection.run('set lock_configuration = true');
}
