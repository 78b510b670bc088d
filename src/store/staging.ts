import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { classifyStatement, projectSql } from '../normalize/normalize-sql.js';

/**
 * The staging table holds raw record text for one batch before DuckDB normalizes it. Records reach
 * it either straight from DuckDB's JSON reader (the bulk path) or from the Node reader through an
 * appender (line-delimited files, envelopes, salvage of damaged files).
 */
export const STAGING_TABLE = 'temp.main.staged';

/** How a record's position is counted in its origin, for error messages. */
export type PositionUnit = 'line' | 'record';

export async function createStaging(connection: DuckDBConnection): Promise<void> {
  await connection.run('create or replace temp table staged (origin varchar, position bigint, unit varchar, r varchar)');
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

/** Materializes the normalized batch into temp table `normalized` (see projectSql for columns). */
export async function normalizeStaged(connection: DuckDBConnection, input = STAGING_TABLE): Promise<void> {
  await connection.run(classifyStatement(input, 'classified'));
  await connection.run(`create or replace temp table normalized as\n${projectSql('classified')}`);
  await connection.run('drop table temp.main.classified');
}
