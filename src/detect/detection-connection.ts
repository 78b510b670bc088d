import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/open-store.js';

/**
 * Locks down a DuckDB instance opened for detection: no file system or network access (so a
 * detector cannot read local files, attach databases or load extensions from the internet),
 * UTC for date arithmetic (daily buckets mean UTC days), then the configuration is locked so the
 * SQL that follows cannot undo it. Instance-wide and irreversible: only for an instance opened
 * to run detectors (the detect command, fixture stores), never one that still has to ingest.
 */
export async function restrictForDetection(connection: DuckDBConnection): Promise<void> {
  // Global, so connections opened afterwards (detectionConnections) count days in UTC too.
  await connection.run(`set global TimeZone = 'UTC'`);
  await connection.run(`set TimeZone = 'UTC'`);
  await connection.run('set autoinstall_known_extensions = false');
  await connection.run('set autoload_known_extensions = false');
  await connection.run('set enable_external_access = false');
  await connection.run('set lock_configuration = true');
}

/**
 * The connections detectors run on side by side (runDetection's `connections`): the store's own
 * and `parallel - 1` more to the same instance, closed with the store. Open them after
 * restrictForDetection: the restrictions hold for the whole instance.
 */
export async function detectionConnections(
  store: Pick<Store, 'connection' | 'connect'>,
  parallel: number,
): Promise<DuckDBConnection[]> {
  const connections = [store.connection];
  while (connections.length < parallel) connections.push(await store.connect());
  return connections;
}
