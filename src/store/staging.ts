import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import {
  classifyUpdatesSql,
  createClassifiedSql,
  insertClassifiedSql,
  projectSql,
} from '../normalize/normalize-sql.js';
import { timePhase } from '../util/phase-timings.js';

/**
 * One batch on its way to the events table lives in three tables:
 * - `staged`: raw record text appended from Node (line-delimited files, envelopes, salvage);
 * - `classified`: every record of the batch as JSON with its format, fed from `staged` and
 *   straight from DuckDB's JSON reader (the bulk path, which so skips a text copy);
 * - `normalized`: the projected events and the records that cannot be events, with the reason
 *   (normalizeStaged, a temp table; the batch writer seals into a table of its own per batch).
 *
 * By default they are temp tables of the connection. A writer that stages on one connection while
 * another commits (src/store/event-writer.ts) keeps them in an in-memory database attached to the
 * instance, which every connection sees.
 */
export interface StageTables {
  staged: string;
  classified: string;
}

export const TEMP_STAGE: StageTables = {
  staged: 'temp.main.staged',
  classified: 'temp.main.classified',
};

const NORMALIZED_TABLE = 'temp.main.normalized';

/** The in-memory database shared by a store's connections for staged batches. */
export const STAGE_DATABASE = 'auditlake_stage';

export async function attachStageDatabase(connection: DuckDBConnection): Promise<void> {
  await connection.run(`attach if not exists ':memory:' as ${STAGE_DATABASE}`);
}

/** Table names under `prefix` in the shared stage database (one prefix per writer). */
export function sharedStageTables(prefix: string): StageTables {
  return {
    staged: `${STAGE_DATABASE}.main.${prefix}_staged`,
    classified: `${STAGE_DATABASE}.main.${prefix}_classified`,
  };
}

/** How a record's position is counted in its origin, for error messages. */
export type PositionUnit = 'line' | 'record';

function tableKind(table: string): 'temp table' | 'table' {
  return table.startsWith('temp.') ? 'temp table' : 'table';
}

export async function createStaging(
  connection: DuckDBConnection,
  tables: StageTables = TEMP_STAGE,
): Promise<void> {
  await connection.run(
    `create or replace ${tableKind(tables.staged)} ${tables.staged} (origin varchar, position bigint, unit varchar, r varchar)`,
  );
  await connection.run(createClassifiedSql(tables.classified, tableKind(tables.classified)));
}

export async function dropStaging(connection: DuckDBConnection, tables: StageTables): Promise<void> {
  for (const table of [tables.staged, tables.classified]) {
    await connection.run(`drop table if exists ${table}`);
  }
}

export async function openStagingAppender(
  connection: DuckDBConnection,
  tables: StageTables = TEMP_STAGE,
): Promise<DuckDBAppender> {
  const [catalog, schema, table] = tables.staged.split('.') as [string, string, string];
  return connection.createAppender(table, schema, catalog);
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
export async function addParsedRecords(
  connection: DuckDBConnection,
  select: string,
  tables: StageTables = TEMP_STAGE,
): Promise<number> {
  const result = await timePhase('ingest.read_json', () =>
    connection.run(insertClassifiedSql(tables.classified, select, true)),
  );
  return Number(result.rowsChanged);
}

/** Classifies and normalizes the temp batch into temp table `normalized` (see projectSql for columns). */
export async function normalizeStaged(
  connection: DuckDBConnection,
  options: { appended: boolean } = { appended: true },
): Promise<void> {
  await classifyStaged(connection, options, TEMP_STAGE);
  await timePhase('ingest.project', () =>
    connection.run(
      `create or replace temp table ${NORMALIZED_TABLE} as\n${projectSql(TEMP_STAGE.classified)}`,
    ),
  );
}

/** Moves appended text into `classified` and names every record's format. */
export async function classifyStaged(
  connection: DuckDBConnection,
  options: { appended: boolean },
  tables: StageTables,
): Promise<void> {
  // A bulk batch (files DuckDB read itself) has nothing staged: skip the statements, which cost
  // more than nothing on a store with a large table (measured: ~0.3 s per batch).
  if (options.appended) {
    await timePhase('ingest.classify_staged', () =>
      connection.run(insertClassifiedSql(tables.classified, `select * from ${tables.staged}`, false)),
    );
    await timePhase('ingest.clear_staged', () => connection.run(`delete from ${tables.staged}`));
  }
  await timePhase('ingest.classify_formats', async () => {
    for (const statement of classifyUpdatesSql(tables.classified)) await connection.run(statement);
  });
}

/**
 * Connections for a pipelined ingest (EventWriterOptions.staging): two, so one reads the next batch
 * while the other seals the batch before it and the writer's own connection commits the one before
 * that — three single-threaded statements on two cores (bench:ingest: one connection took 26 s for
1M events, two 20.6 s, three no better).
 */
export async function openStagingConnections(store: {
  connect(): Promise<DuckDBConnection>;
}): Promise<DuckDBConnection[]> {
  return [await store.connect(), await store.connect()];
}

/**
 * Runs `work` with DuckDB limited to one thread per statement (an instance-wide setting, restored
 * after). For the pipelined ingest: its connections already keep both cores busy, and DuckDB's
 * parallel operators on top of that cost more than they gain (measured on 1M CloudTrail events:
 * 43 CPU-seconds and 28 s with one thread, 65 CPU-seconds and 34 s with two).
 */
export async function withOneThreadPerStatement<T>(
  connection: DuckDBConnection,
  work: () => Promise<T>,
): Promise<T> {
  const reader = await connection.runAndReadAll(`select current_setting('threads')::bigint`);
  const threads = Number(reader.getRows()[0]?.[0] ?? 1);
  await connection.run('set threads = 1');
  try {
    return await work();
  } finally {
    await connection.run(`set threads = ${Math.max(1, Math.floor(threads))}`);
  }
}
