import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import {
  classifyUpdatesSql,
  createClassifiedSql,
  insertClassifiedSql,
  projectSql,
} from '../normalize/normalize-sql.js';
import { timePhase } from '../util/phase-timings.js';

/**
 * One batch on its way to the events table lives in three temp tables:
 * - `staged`: raw record text appended from Node (line-delimited files, envelopes, salvage);
 * - `classified`: every record of the batch as JSON with its format, fed from `staged` and
 *   straight from DuckDB's JSON reader (the bulk path, which so skips a text copy);
 * - `normalized`: the projected events and the records that cannot be events, with the reason.
 */
export const STAGING_TABLE = 'temp.main.staged';
export const CLASSIFIED_TABLE = 'temp.main.classified';

/** How a record's position is counted in its origin, for error messages. */
export type PositionUnit = 'line' | 'record';

export async function createStaging(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    'create or replace temp table staged (origin varchar, position bigint, unit varchar, r varchar)',
  );
  await connection.run(createClassifiedSql('classified'));
}

export async function openStagingAppender(connection: DuckDBConnection): Promise<DuckDBAppender> {
  return connection.createAppender('staged', 'main', 'temp');
}

export function appendStaged(
  appender: DuckDBAppender,
  origin: string,
  position: number,
  unit: PositionUnit,
  text: string,
): void {
  appender.appendVarchar(origin);
  appender.appendBigInt(BigInt(position));
  appender.appendVarchar(unit);
  appender.appendVarchar(text);
  appender.endRow();
}

/** Adds records selected by DuckDB (origin, position, unit, r JSON) to the batch; returns how many. */
export async function addParsedRecords(connection: DuckDBConnection, select: string): Promise<number> {
  const result = await timePhase('ingest.read_json', () =>
    connection.run(insertClassifiedSql(CLASSIFIED_TABLE, select, true)),
  );
  return Number(result.rowsChanged);
}

/** Classifies and normalizes the batch into temp table `normalized` (see projectSql for columns). */
export async function normalizeStaged(
  connection: DuckDBConnection,
  options: { appended: boolean } = { appended: true },
): Promise<void> {
  // A bulk batch (files DuckDB read itself) has nothing staged: skip the statements, which cost
  // more than nothing on a store with a large table (measured: ~0.3 s per batch).
  if (options.appended) {
    await timePhase('ingest.classify_staged', () =>
      connection.run(insertClassifiedSql(CLASSIFIED_TABLE, `select * from ${STAGING_TABLE}`, false)),
    );
    await timePhase('ingest.clear_staged', () => connection.run(`delete from ${STAGING_TABLE}`));
  }
  await timePhase('ingest.classify_formats', async () => {
    for (const statement of classifyUpdatesSql(CLASSIFIED_TABLE)) await connection.run(statement);
  });
  await timePhase('ingest.project', () =>
    connection.run(`create or replace temp table normalized as\n${projectSql(CLASSIFIED_TABLE)}`),
  );
}
