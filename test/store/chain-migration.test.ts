import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/store/chain-verify.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { awsRecord, commitBatch } from './chain-helpers.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-chain-migration-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store as auditlake left it before the chain: schema version 2, with some events. */
async function versionTwoStore(path: string, events: number): Promise<void> {
  const instance = await DuckDBInstance.create(path, { storage_compatibility_version: 'latest' });
  const c = await instance.connect();
  await c.run(
    'create table schema_migrations (version integer primary key, name varchar, applied_at timestamptz)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
    await c.run(m.sql);
    await c.run('insert into schema_migrations values ($1, $2, now())', [m.version, m.name]);
  }
  await c.run(`insert into events (event_id, source, format, event_time, account, actor, outcome, mfa, resources, details, raw, origin, position, ingested_at, run_id)
select 'old-' || i, case when i % 3 = 0 then 'gcp' else 'aws' end, 'cloudtrail',
  timestamptz '2026-10-01 00:00:00+00' + to_hours(i * 7), '111122223333', 'alice', 'success',
  i % 2 = 0, ['r-' || i], '{"k": 1}'::json, ('{"n":' || i || '}')::json, 'old.json', i, now(), 1
from range(${events}) t(i)`);
  c.closeSync();
  instance.closeSync();
}

describe('migration 3', () => {
  it('adopts the events stored before the chain as batch 0, with the same digests the writer computes', async () => {
    const path = join(dir, 'old.duckdb');
    await versionTwoStore(path, 40);
    const store = await openStore({ path });
    try {
      const c = store.connection;
      const batches = await c.runAndReadAll(
        'select batch_id, connector, events from event_batches order by batch_id',
      );
      expect(batches.getRowsJson()).toEqual([['0', 'migration', '40']]);
      const unbatched = await c.runAndReadAll(
        'select count(*)::int from events where batch_id is distinct from 0',
      );
      expect(unbatched.getRows()[0]?.[0]).toBe(0);
      // verifyChain recomputes with src/store/chain-sql.ts: the migration's frozen copy agrees.
      expect((await verifyChain(c)).status).toBe('intact');
      await commitBatch(store, [awsRecord(1, 5)]);
      const link = await c.runAndReadAll(
        'select b.prev_digest = a.digest from event_batches a, event_batches b where a.batch_id = 0 and b.batch_id = 1',
      );
      expect(link.getRows()[0]?.[0]).toBe(true);
      expect((await verifyChain(c)).status).toBe('intact');
      // Rows inserted without a batch id no longer get one by default.
      await c.run(`insert into events (event_id, source, format, event_time, outcome, origin, ingested_at)
values ('x', 'aws', 'cloudtrail', now(), 'success', 'x', now())`);
      expect((await verifyChain(c)).first_break).toMatchObject({ kind: 'events_unchained', batch_id: null });
    } finally {
      store.close();
    }
  });

  it('starts an empty store without an adoption batch', async () => {
    const path = join(dir, 'empty.duckdb');
    await versionTwoStore(path, 0);
    const store = await openStore({ path });
    try {
      const n = await store.connection.runAndReadAll('select count(*)::int from event_batches');
      expect(n.getRows()[0]?.[0]).toBe(0);
      await commitBatch(store, [awsRecord(1, 5)]);
      const ids = await store.connection.runAndReadAll('select batch_id from event_batches');
      expect(ids.getRowsJson()).toEqual([['1']]);
    } finally {
      store.close();
    }
  });
});
