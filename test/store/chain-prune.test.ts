import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkAgainstHeads, exportChainHeads } from '../../src/store/chain-heads.js';
import { pruneEvents } from '../../src/store/chain-prune.js';
import { verifyChain } from '../../src/store/chain-verify.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { awsRecord, commitBatch, range } from './chain-helpers.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-chain-prune-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
  await commitBatch(store, [
    ...range(0, 5).map((n) => awsRecord(n, 1)),
    ...range(5, 10).map((n) => awsRecord(n, 2)),
  ]);
  await commitBatch(store, [
    ...range(10, 13).map((n) => awsRecord(n, 2)),
    ...range(13, 20).map((n) => awsRecord(n, 3)),
  ]);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  return Number((await store.connection.runAndReadAll(sql)).getRows()[0]?.[0]);
}

describe('pruneEvents', () => {
  it('deletes whole UTC days before the given day, records their roots, and the chain still verifies', async () => {
    const heads = await exportChainHeads(store.connection);
    const outcome = await pruneEvents(store.connection, new Date('2026-11-03T15:00:00Z'));
    expect(outcome.before).toBe('2026-11-03');
    expect(outcome.events_deleted).toBe(13);
    expect(outcome.days.map((d) => [d.day, d.events, d.last_batch_id])).toEqual([
      ['2026-11-01', 5, 1],
      ['2026-11-02', 8, 2],
    ]);
    expect(outcome.days[1]?.root).toBe(heads.days.find((d) => d.day === '2026-11-02')?.root);
    expect(await count('select count(*) from events')).toBe(7);
    const result = await verifyChain(store.connection);
    expect(result.status).toBe('intact');
    expect(result.checked.pruned_days).toBe(2);
    // Heads exported before pruning still match: the pruned days' slices are kept.
    expect(await checkAgainstHeads(store.connection, heads)).toEqual([]);
  });

  it('a pruned day still shows tampering with its kept slices, and events put back into it', async () => {
    await pruneEvents(store.connection, new Date('2026-11-03'));
    await store.connection.run(`update batch_days set events = 4 where day = date '2026-11-01'`);
    const altered = await verifyChain(store.connection);
    expect(altered.problems.map((p) => p.kind)).toEqual(['batch_altered', 'pruned_day_altered']);
    expect(altered.problems[1]).toMatchObject({ source: 'aws', day: '2026-11-01' });
  });

  it('flags events that reappear in a pruned day under a pruned batch', async () => {
    await store.connection.run(
      "create table saved as select * from events where event_time < timestamptz '2026-11-02 00:00:00+00'",
    );
    await pruneEvents(store.connection, new Date('2026-11-02'));
    await store.connection.run('insert into events select * from saved limit 1');
    const result = await verifyChain(store.connection);
    expect(result.first_break).toMatchObject({ kind: 'events_inserted', batch_id: 1, day: '2026-11-01' });
  });

  it('late events for a pruned day chain as usual and a second prune records the larger root', async () => {
    await pruneEvents(store.connection, new Date('2026-11-03'));
    await commitBatch(store, [awsRecord(100, 1)]);
    expect((await verifyChain(store.connection)).status).toBe('intact');
    const again = await pruneEvents(store.connection, new Date('2026-11-03'));
    expect(again.days.map((d) => [d.day, d.events, d.last_batch_id])).toEqual([['2026-11-01', 6, 3]]);
    expect((await verifyChain(store.connection)).status).toBe('intact');
  });

  it('refuses to prune days that do not verify, and changes nothing', async () => {
    await store.connection.run(
      `update events set raw = '{}' where event_id = '${String(awsRecord(2, 1).eventID)}'`,
    );
    await expect(pruneEvents(store.connection, new Date('2026-11-03'))).rejects.toThrow(
      /refusing to prune before 2026-11-03: the chain is broken at batch 1, source aws, day 2026-11-01/,
    );
    expect(await count('select count(*) from events')).toBe(20);
    expect(await count('select count(*) from pruned_days')).toBe(0);
  });
});
