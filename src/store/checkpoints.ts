import type { DuckDBConnection } from '@duckdb/node-api';

/** All checkpoints of one connector, keyed by origin. */
export async function readCheckpoints(
  connection: DuckDBConnection,
  source: string,
): Promise<Map<string, unknown>> {
  const reader = await connection.runAndReadAll(
    'select origin, cursor::varchar from checkpoints where source = $1',
    [source],
  );
  const out = new Map<string, unknown>();
  for (const [origin, cursor] of reader.getRows()) out.set(String(origin), JSON.parse(String(cursor)));
  return out;
}
