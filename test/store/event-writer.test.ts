import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/store/chain-verify.js';
import { type BatchOutcome, EventWriter } from '../../src/store/event-writer.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { openStagingConnections } from '../../src/store/staging.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-writer-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pipelinedWriter(): Promise<EventWriter> {
  const runId = await startRun(store.connection, 'test');
  return new EventWriter(store.connection, runId, 'test', { staging: await openStagingConnections(store) });
}

async function addRecords(writer: EventWriter, origin: string, ns: number[]): Promise<void> {
  for (const [i, n] of ns.entries()) {
    await writer.add(origin, i + 1, 'record', JSON.stringify(cloudtrailRecord(n)));
  }
}

async function scalar(sql: string): Promise<unknown> {
  return (await store.connection.runAndReadAll(sql)).getRows()[0]?.[0];
}

describe('EventWriter with staging connections', () => {
  it('commits batches in the order handed over, each its own chain link, and drops repeats still in flight', async () => {
    const writer = await pipelinedWriter();
    const outcomes: BatchOutcome[] = [];
    const counted = (outcome: BatchOutcome) => outcomes.push(outcome);

    await addRecords(writer, 'one', [1, 2, 3, 4, 5]);
    writer.setCheckpoint({ origin: 'one', cursor: { done: true } });
    await writer.commitInBackground(counted);
    // 4 and 5 repeat the batch before, which may still be committing; 8 comes twice in this batch.
    await addRecords(writer, 'two', [4, 5, 6, 7, 8, 8]);
    writer.setCheckpoint({ origin: 'two', cursor: { done: true } });
    await writer.commitInBackground(counted);
    await writer.add('three', 1, 'line', '{"Records": [');
    await addRecords(writer, 'three-b', [9]);
    writer.setCheckpoint({ origin: 'three', cursor: { done: true } });
    await writer.commitInBackground(counted);
    await writer.close();

    expect(outcomes.map(({ inserted, duplicates, errors }) => ({ inserted, duplicates, errors }))).toEqual([
      { inserted: 5, duplicates: 0, errors: 0 },
      { inserted: 3, duplicates: 3, errors: 0 },
      { inserted: 1, duplicates: 0, errors: 1 },
    ]);
    expect(Number(await scalar('select count(*) from events'))).toBe(9);
    expect(Number(await scalar('select count(distinct event_id) from events'))).toBe(9);
    // Each batch's events carry its link; links follow the order the batches were handed over.
    const links = await store.connection.runAndReadAll(
      `select b.batch_id, b.events, string_agg(distinct e.origin, ',') as origins
from event_batches b join events e using (batch_id)
group by all order by b.batch_id`,
    );
    expect(links.getRows().map(([id, n, origins]) => [Number(id), Number(n), origins])).toEqual([
      [1, 5, 'one'],
      [2, 3, 'two'],
      [3, 1, 'three-b'],
    ]);
    // The kept copy of 8 is the first by position.
    expect(
      await scalar(`select position from events where event_id = '${cloudtrailRecord(8).eventID}'`),
    ).toBe(5n);
    expect(await scalar(`select origin || ' ' || position from ingest_errors`)).toBe('three line 1');
    expect(Number(await scalar('select count(*) from checkpoints'))).toBe(3);
    // Digests computed while staging match what verify recomputes from the stored rows.
    expect((await verifyChain(store.connection)).status).toBe('intact');
  });

  it('never commits a batch after one that failed, and reports the failure', async () => {
    const writer = await pipelinedWriter();
    const outcomes: BatchOutcome[] = [];
    const counted = (outcome: BatchOutcome) => outcomes.push(outcome);
    const seen: unknown[] = [];
    const handOver = async () => {
      try {
        await writer.commitInBackground(counted);
      } catch (error) {
        seen.push(error);
      }
    };

    await addRecords(writer, 'one', [1, 2]);
    writer.setCheckpoint({ origin: 'one', cursor: 1 });
    await handOver();
    await addRecords(writer, 'two', [3, 4]);
    writer.setCheckpoint({ origin: 'two', cursor: 2 });
    writer.addSideWrite(async () => {
      throw new Error('side write refused');
    });
    await handOver();
    await addRecords(writer, 'three', [5]);
    writer.setCheckpoint({ origin: 'three', cursor: 3 });
    await handOver();
    await writer.close().catch((error: unknown) => seen.push(error));

    expect(seen.length).toBeGreaterThan(0);
    expect(String(seen[0])).toMatch(/side write refused/);
    expect(outcomes.map((o) => o.inserted)).toEqual([2]);
    expect(Number(await scalar('select count(*) from events'))).toBe(2);
    expect(await scalar("select string_agg(origin, ',' order by origin) from checkpoints")).toBe('one');
    expect(Number(await scalar('select count(*) from event_batches'))).toBe(1);
  });
});
