import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_DIGEST } from '../../src/store/chain-sql.js';
import { verifyChain } from '../../src/store/chain-verify.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { awsRecord, commitBatch, gcpRecord, range } from './chain-helpers.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-chain-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await store.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** Three batches: aws days 1-2, aws day 2-3 plus gcp, then a batch of duplicates only. */
async function threeBatches(): Promise<void> {
  await commitBatch(store, [
    ...range(0, 5).map((n) => awsRecord(n, 1)),
    ...range(5, 10).map((n) => awsRecord(n, 2)),
  ]);
  await commitBatch(store, [
    ...range(10, 14).map((n) => awsRecord(n, 2)),
    ...range(14, 17).map((n) => awsRecord(n, 3)),
    gcpRecord(1, '2026-11-02T08:00:00Z'),
    gcpRecord(2, '2026-11-03T08:00:00Z'),
  ]);
  await commitBatch(
    store,
    range(0, 5).map((n) => awsRecord(n, 1)),
  );
}

describe('the writer extends the chain', () => {
  it('gives each committed batch of new events a link, slices per source and day, and a batch id on its events', async () => {
    await threeBatches();
    const batches = await rows(
      'select batch_id, run_id, connector, events, prev_digest, digest from event_batches order by batch_id',
    );
    // The third batch stored nothing new (all duplicates): no link.
    expect(batches.map((b) => [b.batch_id, b.events, b.connector])).toEqual([
      ['1', '10', 'files'],
      ['2', '9', 'files'],
    ]);
    expect(batches[0]?.prev_digest).toBe(GENESIS_DIGEST);
    expect(batches[1]?.prev_digest).toBe(batches[0]?.digest);
    const slices = await rows(
      'select batch_id, source, day::varchar as day, events from batch_days order by all',
    );
    expect(slices.map((s) => `${s.batch_id} ${s.source} ${s.day} ${s.events}`)).toEqual([
      '1 aws 2026-11-01 5',
      '1 aws 2026-11-02 5',
      '2 aws 2026-11-02 4',
      '2 aws 2026-11-03 3',
      '2 gcp 2026-11-02 1',
      '2 gcp 2026-11-03 1',
    ]);
    const unbatched = await rows('select count(*)::int as n from events where batch_id is null');
    expect(unbatched[0]?.n).toBe(0);
    const roots = await rows(
      'select source, day::varchar as day, events, batches from chain_days order by all',
    );
    expect(roots).toContainEqual({ source: 'aws', day: '2026-11-02', events: '9', batches: '2' });
    const result = await verifyChain(store.connection);
    expect(result.status).toBe('intact');
    expect(result.checked).toEqual({ batches: 2, slices: 6, events: 19, pruned_days: 0 });
    expect(result.head?.batch_id).toBe(2);
  });

  it('does not depend on the order rows are stored in', async () => {
    await threeBatches();
    const before = await rows('select digest from batch_days order by all');
    await store.connection.run('create table shuffled as select * from events order by random()');
    await store.connection.run('delete from events');
    await store.connection.run('insert into events select * from shuffled order by event_id desc');
    expect((await verifyChain(store.connection)).status).toBe('intact');
    expect(await rows('select digest from batch_days order by all')).toEqual(before);
  });

  it('hashes in UTC whatever the session time zone', async () => {
    await store.connection.run("set TimeZone = 'America/New_York'");
    await threeBatches();
    await store.connection.run("set TimeZone = 'Asia/Tokyo'");
    expect((await verifyChain(store.connection)).status).toBe('intact');
    const days = await rows('select distinct day::varchar as day from batch_days order by 1');
    expect(days.map((d) => d.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
  });
});
