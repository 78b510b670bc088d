import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROW_GROUP_SIZE, STORE_CATALOG } from '../../src/store/open-attached.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';

/**
 * A store opened for writing appends row groups of ROW_GROUP_SIZE rows (src/store/open-attached.ts),
 * plain or encrypted; a store opened read-only reads what is there.
 */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-rowgroups-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rowGroupsAfterInsert(options: StoreOptions, rows: number): Promise<number[]> {
  const store = await openStore(options);
  try {
    const c = store.connection;
    await c.run('create table rg_probe as select range as n, md5(range::varchar) as h from range($1)', [
      rows,
    ]);
    await c.run('checkpoint');
    const reader = await c.runAndReadAll(
      `select row_group_id, sum(count)::bigint from pragma_storage_info('rg_probe')
where column_name = 'n' and segment_type <> 'VALIDITY' group by all order by 1`,
    );
    return reader.getRows().map((r) => Number(r[1]));
  } finally {
    store.close();
  }
}

describe('row groups of a store opened for writing', () => {
  it(`are ${ROW_GROUP_SIZE} rows, not DuckDB's 122,880`, async () => {
    const groups = await rowGroupsAfterInsert({ path: join(dir, 'plain.duckdb') }, 130_000);
    expect(groups).toEqual([ROW_GROUP_SIZE, ROW_GROUP_SIZE, 130_000 - 2 * ROW_GROUP_SIZE]);
  });

  it('are the same in an encrypted store', async () => {
    const options = {
      path: join(dir, 'encrypted.duckdb'),
      encryptionKey: 'correct-horse-battery-staple-1',
      allowUnsafeBuiltinCrypto: true,
    };
    expect(await rowGroupsAfterInsert(options, 70_000)).toEqual([ROW_GROUP_SIZE, 70_000 - ROW_GROUP_SIZE]);
  });

  it('keep the store under its usual catalog name, and a read-only open sees the same data', async () => {
    const path = join(dir, 'named.duckdb');
    await rowGroupsAfterInsert({ path }, 10);
    const writer = await openStore({ path });
    try {
      const db = await writer.connection.runAndReadAll('select current_database()');
      expect(db.getRows()[0]?.[0]).toBe(STORE_CATALOG);
    } finally {
      writer.close();
    }
    const reader = await openStore({ path, readOnly: true });
    try {
      const n = await reader.connection.runAndReadAll('select count(*) from rg_probe');
      expect(Number(n.getRows()[0]?.[0])).toBe(10);
    } finally {
      reader.close();
    }
  });

  it('points every further connection at the store, plain, encrypted or read-only', async () => {
    const plain = join(dir, 'more.duckdb');
    const encrypted = {
      path: join(dir, 'more-encrypted.duckdb'),
      encryptionKey: 'correct-horse-battery-staple-1',
      allowUnsafeBuiltinCrypto: true,
    };
    await rowGroupsAfterInsert({ path: plain }, 7);
    await rowGroupsAfterInsert(encrypted, 7);
    for (const options of [{ path: plain }, { path: plain, readOnly: true }, encrypted]) {
      const store = await openStore(options);
      try {
        const more = await store.connect();
        const n = await more.runAndReadAll('select count(*) from rg_probe');
        expect(Number(n.getRows()[0]?.[0])).toBe(7);
      } finally {
        store.close();
      }
    }
  });
});
