import { EventWriter } from '../../src/store/event-writer.js';
import { openStore, type Store } from '../../src/store/open-store.js';

/**
 * A store (file or ':memory:') holding `records` (native records of any format), loaded through
 * the real ingest writer. Throws when a record could not become an event.
 */
export async function storeWithRecords(path: string, records: ReadonlyArray<unknown>): Promise<Store> {
  const store = await openStore({ path });
  const writer = new EventWriter(store.connection, 0, 'test');
  try {
    await writer.begin();
    for (const [i, record] of records.entries()) {
      await writer.add(
        'test:records',
        i + 1,
        'record',
        typeof record === 'string' ? record : JSON.stringify(record),
      );
    }
    const outcome = await writer.commit();
    if (outcome.errors > 0) {
      const reader = await store.connection.runAndReadAll('select position, reason from ingest_errors');
      throw new Error(`records not loaded: ${JSON.stringify(reader.getRowsJson())}`);
    }
  } catch (error) {
    writer.dispose();
    store.close();
    throw error;
  }
  writer.dispose();
  return store;
}
