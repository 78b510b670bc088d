import { openStore } from '../../src/store/open-store.js';
import {
  appendStaged,
  createStaging,
  normalizeStaged,
  openStagingAppender,
} from '../../src/store/staging.js';

export type NormalizedRow = Record<string, unknown> & {
  event_id: string | null;
  event_time: string | null;
  problem: string | null;
  resources: string[] | null;
  details: Record<string, unknown> | null;
  raw: unknown;
};

/**
 * Runs records through the same staging + normalization SQL the store uses, in an in-memory
 * DuckDB, and returns one row per record (in input order) with JSON columns parsed and
 * event_time as ISO-8601 UTC.
 */
export async function normalizeRecords(records: ReadonlyArray<unknown>): Promise<NormalizedRow[]> {
  const store = await openStore({ path: ':memory:' });
  try {
    await createStaging(store.connection);
    const appender = await openStagingAppender(store.connection);
    records.forEach((record, i) => {
      appendStaged(
        appender,
        'test',
        i + 1,
        'record',
        typeof record === 'string' ? record : JSON.stringify(record),
      );
    });
    appender.closeSync();
    await normalizeStaged(store.connection);
    const reader = await store.connection.runAndReadAll(
      `select * replace (strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') as event_time) from temp.normalized order by position`,
    );
    return reader.getRowObjectsJson().map((row) => {
      const out: Record<string, unknown> = { ...row };
      for (const key of ['raw', 'details'] as const) {
        const value = out[key];
        if (typeof value === 'string') out[key] = JSON.parse(value);
      }
      if (typeof out.position === 'string') out.position = Number(out.position);
      return out as NormalizedRow;
    });
  } finally {
    store.close();
  }
}

/** Normalizes one record and returns its row. */
export async function normalizeOne(record: unknown): Promise<NormalizedRow> {
  const [row] = await normalizeRecords([record]);
  if (!row) throw new Error('no row returned');
  return row;
}
