import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventDigestSql, sliceDigestsSql } from '../../src/store/chain-sql.js';
import { dayWindows, verifyChain } from '../../src/store/chain-verify.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { awsRecord, commitBatch, gcpRecord, range } from './chain-helpers.js';

let dir: string;
let store: Store;
const verifyOptions: { windowEvents?: number | undefined } = {};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-chain-tamper-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
  // Batch 1: aws 2026-11-01 and 02. Batch 2: aws 02 and 03, gcp 03. Batch 3: aws 04.
  await commitBatch(
    store,
    [...range(0, 5).map((n) => awsRecord(n, 1)), ...range(5, 10).map((n) => awsRecord(n, 2))],
    7,
  );
  await commitBatch(
    store,
    [
      ...range(10, 15).map((n) => awsRecord(n, 2)),
      ...range(15, 20).map((n) => awsRecord(n, 3)),
      gcpRecord(1, '2026-11-03T01:00:00Z'),
    ],
    8,
  );
  await commitBatch(
    store,
    range(20, 25).map((n) => awsRecord(n, 4)),
    9,
  );
  expect((await verifyChain(store.connection, {}, [], verifyOptions)).status).toBe('intact');
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const id = (n: number) => String(awsRecord(n, 1).eventID);
const sql = (text: string) => store.connection.run(text);

async function firstBreak() {
  const result = await verifyChain(store.connection, {}, [], verifyOptions);
  expect(result.status).toBe('broken');
  const first = result.first_break;
  return {
    kind: first?.kind,
    batch: first?.batch_id,
    source: first?.source,
    day: first?.day,
    run: first?.run_id,
  };
}

// Once as verify runs on a store of this size (one recomputation), once a day at a time, as it runs
// on a large store: every tampering must show either way.
describe.each([
  { windows: 'one recomputation', windowEvents: undefined },
  { windows: 'one recomputation per day', windowEvents: 1 },
])('verify names the first broken link ($windows)', ({ windowEvents }) => {
  beforeEach(() => {
    verifyOptions.windowEvents = windowEvents;
  });

  it('an event whose raw record was changed', async () => {
    await sql(`update events set raw = '{"eventName":"Nothing to see"}' where event_id = '${id(12)}'`);
    expect(await firstBreak()).toEqual({
      kind: 'events_changed',
      batch: 2,
      source: 'aws',
      day: '2026-11-02',
      run: 8,
    });
  });

  it('an event whose normalized actor alone was changed', async () => {
    await sql(`update events set actor = 'arn:aws:iam::111122223333:user/bob' where event_id = '${id(17)}'`);
    expect(await firstBreak()).toEqual({
      kind: 'events_changed',
      batch: 2,
      source: 'aws',
      day: '2026-11-03',
      run: 8,
    });
  });

  it('a deleted event', async () => {
    await sql(`delete from events where event_id = '${id(3)}'`);
    expect(await firstBreak()).toEqual({
      kind: 'events_deleted',
      batch: 1,
      source: 'aws',
      day: '2026-11-01',
      run: 7,
    });
  });

  it('a whole deleted day of a batch', async () => {
    await sql(`delete from events where source = 'gcp'`);
    expect(await firstBreak()).toEqual({
      kind: 'events_deleted',
      batch: 2,
      source: 'gcp',
      day: '2026-11-03',
      run: 8,
    });
  });

  it('a forged event on a day after the last batch, a week away', async () => {
    await sql(`insert into events (event_id, source, format, event_time, outcome, origin, ingested_at, raw)
values ('forged-2', 'aws', 'cloudtrail', timestamptz '2026-11-11 12:00:00+00', 'success', 'x', now(), '{}')`);
    const result = await verifyChain(store.connection, {}, [], verifyOptions);
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'events_unchained', batch_id: null, source: 'aws', day: '2026-11-11' }),
    ]);
  });

  it('a forged event inserted without a batch', async () => {
    await sql(`insert into events (event_id, source, format, event_time, outcome, origin, ingested_at, raw)
values ('forged-1', 'aws', 'cloudtrail', timestamptz '2026-11-03 12:00:00+00', 'success', 'x', now(), '{}')`);
    const result = await verifyChain(store.connection, {}, [], verifyOptions);
    expect(result.status).toBe('broken');
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'events_unchained', batch_id: null, source: 'aws', day: '2026-11-03' }),
    ]);
  });

  it('a forged copy of a stored event, batch id and all', async () => {
    await sql(`insert into events
select * replace ('forged-2' as event_id, 'arn:aws:iam::111122223333:user/mallory' as actor)
from events
where event_id = '${id(22)}'`);
    expect(await firstBreak()).toEqual({
      kind: 'events_inserted',
      batch: 3,
      source: 'aws',
      day: '2026-11-04',
      run: 9,
    });
  });

  it('an event moved to another day', async () => {
    await sql(`update events set event_time = event_time + interval 1 day where event_id = '${id(7)}'`);
    const result = await verifyChain(store.connection, {}, [], verifyOptions);
    expect(result.problems.map((p) => `${p.kind} ${p.batch_id} ${p.day}`)).toEqual([
      'events_deleted 1 2026-11-02',
      'events_inserted 1 2026-11-03',
    ]);
  });

  it('changed events whose slice digest was rewritten to match', async () => {
    await sql(`delete from events where event_id = '${id(12)}'`);
    await sql(`delete from batch_days where batch_id = 2 and source = 'aws' and day = date '2026-11-02'`);
    await sql(`insert into batch_days select batch_id, source, day, events, digest
from (${sliceDigestsSql("e.batch_id = 2 and e.source = 'aws' and (e.event_time at time zone 'UTC')::date = date '2026-11-02'")})`);
    expect(await firstBreak()).toEqual({ kind: 'batch_altered', batch: 2, source: null, day: null, run: 8 });
  });

  it('a link removed from the middle of the chain', async () => {
    await sql('delete from event_batches where batch_id = 2');
    const result = await verifyChain(store.connection, {}, [], verifyOptions);
    expect(result.first_break).toMatchObject({ batch_id: 2, kind: 'batch_missing' });
    expect(result.problems.map((p) => `${p.kind} ${p.batch_id}`)).toContain('link_broken 3');
  });

  it('a link whose recorded fields were edited', async () => {
    await sql('update event_batches set run_id = 99 where batch_id = 1');
    expect(await firstBreak()).toEqual({ kind: 'link_broken', batch: 1, source: null, day: null, run: 99 });
  });

  it('only the days in range are recomputed; the links always are', async () => {
    await sql(`update events set raw = '{}' where event_id = '${id(22)}'`);
    const inRange = await verifyChain(
      store.connection,
      { from: new Date('2026-11-04T06:00:00Z') },
      [],
      verifyOptions,
    );
    expect(inRange.first_break).toMatchObject({ kind: 'events_changed', batch_id: 3, day: '2026-11-04' });
    expect(inRange.range).toEqual({ from: '2026-11-04', to: null });
    const before = await verifyChain(
      store.connection,
      { from: new Date('2026-11-01'), to: new Date('2026-11-04') },
      [],
      verifyOptions,
    );
    expect(before.status).toBe('intact');
    expect(before.checked.events).toBe(21);
  });

  it('lists every problem, earliest batch first', async () => {
    await sql(`delete from events where event_id = '${id(22)}'`);
    await sql(`update events set raw = '{}' where event_id = '${id(1)}'`);
    const result = await verifyChain(store.connection, {}, [], verifyOptions);
    expect(result.problems.map((p) => p.batch_id)).toEqual([1, 3]);
    expect(result.problems_total).toBe(2);
  });
});

describe('the canonical event digest', () => {
  it('covers every stored column but batch_id', async () => {
    const described = await store.connection.runAndReadAll('describe events');
    const columns = described.getRows().map((r) => String(r[0]));
    const expression = eventDigestSql('e');
    for (const column of columns.filter((c) => c !== 'batch_id')) expect(expression).toContain(`e.${column}`);
  });
});

describe('verify recomputes a large range in windows of whole days', () => {
  const all = { from: null, to: null };
  it('cuts at whole days once a window holds enough committed events, and covers every day', async () => {
    expect(await dayWindows(store.connection, all)).toEqual([{ from: '2026-11-01', to: '2026-11-05' }]);
    expect(await dayWindows(store.connection, all, 10)).toEqual([
      { from: '2026-11-01', to: '2026-11-03' },
      { from: '2026-11-03', to: '2026-11-05' },
    ]);
    expect(await dayWindows(store.connection, { from: '2026-11-02', to: '2026-11-04' }, 1)).toEqual([
      { from: '2026-11-02', to: '2026-11-03' },
      { from: '2026-11-03', to: '2026-11-04' },
    ]);
  });

  it('has nothing to cut in an empty range', async () => {
    expect(await dayWindows(store.connection, { from: '2027-01-01', to: '2027-02-01' })).toEqual([]);
  });
});
