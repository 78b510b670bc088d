import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../normalize/normalize-sql.js';

/**
 * The catalog name a store is attached under. A store opened directly by path gets its file's stem
 * (`auditlake` for the default data/auditlake.duckdb); the same name keeps any SQL that qualifies
 * names by catalog working either way.
 */
export const STORE_CATALOG = 'auditlake';

/**
 * Rows per row group for what a writable store appends (DuckDB's default is 122,880). A bulk batch
 * of the file ingest (128 MiB, 85,000-120,000 CloudTrail events) then fills at least one whole row
 * group, which DuckDB writes compressed as the batch is inserted, and leaves its partial rest as a
 * row group of its own. With the default the batch fell short of one row group, so every commit
 * appended to the last one and its checkpoint recompressed it whole: about twice the work per
 * event (1M events: commit phase 8.1-8.5 s, now 2.6-2.9 s; store the same size). It applies to
 * appends only, so stores written before keep their row groups. ATTACH is the only way to set it:
 * DuckDB does not keep it in the file.
 */
export const ROW_GROUP_SIZE = 61_440;

export interface AttachedDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
}

/**
 * Opens a store file the way DuckDB takes per-database options: an in-memory instance that ATTACHes
 * the file under STORE_CATALOG with `attachOptions` and USEs it, so every unqualified name (and the
 * appender) resolves to the store exactly as when the file is opened directly. `prepare` runs
 * before the ATTACH (an encrypted store chooses its crypto module there). Errors are rethrown as
 * DuckDB raised them, for the caller to translate.
 */
export async function openAttachedDatabase(
  path: string,
  config: Readonly<Record<string, string>>,
  attachOptions: readonly string[],
  prepare?: (connection: DuckDBConnection) => Promise<void>,
): Promise<AttachedDatabase> {
  const { access_mode: _accessMode, ...instanceConfig } = config;
  const instance = await DuckDBInstance.create(':memory:', {
    ...instanceConfig,
    // A directly opened file spills next to itself; keep that (the in-memory default is ./.tmp).
    temp_directory: `${path}.tmp`,
    // Never fetch anything.
    autoinstall_known_extensions: 'false',
  });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    await prepare?.(connection);
    const options = attachOptions.length ? ` (${attachOptions.join(', ')})` : '';
    await connection.run(`attach ${sqlString(path)} as ${STORE_CATALOG}${options}`);
    await connection.run(`use ${STORE_CATALOG}`);
    return { instance, connection };
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw error;
  }
}
