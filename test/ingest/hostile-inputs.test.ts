import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-hostile-'));
  mkdirSync(join(dir, 'in'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ingest(options: Partial<Parameters<typeof ingestFiles>[2]> = {}) {
  return ingestFiles(store.connection, await startRun(store.connection, 'test'), {
    paths: [join(dir, 'in')],
    ...options,
  });
}

async function errors(): Promise<{ origin: string; position: string | null; reason: string }[]> {
  const reader = await store.connection.runAndReadAll(
    'select origin, position, reason from ingest_errors order by origin, position',
  );
  return reader.getRowObjectsJS() as { origin: string; position: string | null; reason: string }[];
}

async function count(): Promise<number> {
  return Number((await store.connection.runAndReadAll('select count(*) from events')).getRows()[0]?.[0]);
}

describe('hostile inputs', () => {
  it('JSON nested 10,000 deep becomes an error, not a crash, and the file next to it still loads', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    writeFileSync(join(dir, 'in', 'deep.ndjson'), `${deep}\n${JSON.stringify(cloudtrailRecord(1))}\n`);
    writeFileSync(join(dir, 'in', 'deep-array.json'), `[${deep}]`);
    writeFileSync(join(dir, 'in', 'ok.json'), JSON.stringify({ Records: [cloudtrailRecord(2)] }));
    const summary = await ingest();
    expect(await count()).toBe(2);
    expect(summary.errors).toBeGreaterThanOrEqual(2);
    const reasons = (await errors()).map((e) => `${e.origin.split('/').pop()} ${e.position}`);
    expect(reasons).toContain('deep.ndjson line 1');
  });

  it('a single record of ~50 MB loads (CloudTrail files reach that size)', async () => {
    const big = cloudtrailRecord(3, { requestParameters: { policyDocument: 'x'.repeat(50 * 1024 * 1024) } });
    writeFileSync(
      join(dir, 'in', 'big.json.gz'),
      gzipSync(JSON.stringify({ Records: [big, cloudtrailRecord(4)] })),
    );
    const summary = await ingest();
    expect(summary).toMatchObject({ events_new: 2, errors: 0 });
  });

  it('invalid UTF-8 bytes do not lose the valid records around them', async () => {
    const good = Buffer.from(`${JSON.stringify(cloudtrailRecord(5))}\n`);
    const bad = Buffer.concat([
      Buffer.from('{"eventID":"x","eventName":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}\n'),
    ]);
    writeFileSync(
      join(dir, 'in', 'mixed.ndjson'),
      Buffer.concat([good, bad, Buffer.from(`${JSON.stringify(cloudtrailRecord(6))}\n`)]),
    );
    await ingest();
    expect(await count()).toBeGreaterThanOrEqual(2);
  });

  it('timestamps far in the past or future are stored as given, not mangled', async () => {
    writeFileSync(
      join(dir, 'in', 'times.ndjson'),
      [
        cloudtrailRecord(7, { eventTime: '1970-01-01T00:00:00Z' }),
        cloudtrailRecord(8, { eventTime: '2999-12-31T23:59:59Z' }),
        cloudtrailRecord(9, { eventTime: '0001-01-01T00:00:00Z' }),
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await ingest();
    const reader = await store.connection.runAndReadAll(
      `select strftime(event_time, '%Y-%m-%dT%H:%M:%SZ') from events order by event_time`,
    );
    expect(reader.getRows().map((r) => r[0])).toEqual([
      '0001-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '2999-12-31T23:59:59Z',
    ]);
  });

  it('thousands of tiny files load in bounded batches', async () => {
    for (let i = 0; i < 3000; i++) {
      writeFileSync(join(dir, 'in', `f${i}.json`), JSON.stringify({ Records: [cloudtrailRecord(100 + i)] }));
    }
    const summary = await ingest();
    expect(summary).toMatchObject({ files_read: 3000, events_new: 3000, errors: 0 });
  }, 120_000);
});

describe('gzip bombs', () => {
  it('stop at the decompressed-size limit with a clear error; other files still load', async () => {
    // 160 MiB of padding inside a CloudTrail container compresses to ~160 KB. It exceeds DuckDB's
    // per-object limit (128 MiB, which bounds the bulk reader), so the Node reader gets it and must stop.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"Records":['), Buffer.alloc(160 * 1024 * 1024, 0x20), Buffer.from(']}')]),
    );
    expect(bomb.length).toBeLessThan(1024 * 1024);
    writeFileSync(join(dir, 'in', 'bomb.json.gz'), bomb);
    writeFileSync(join(dir, 'in', 'ok.json'), JSON.stringify({ Records: [cloudtrailRecord(1)] }));
    const summary = await ingest({ maxDecompressedBytes: 32 * 1024 * 1024 });
    expect(summary.events_new).toBe(1);
    const [error] = await errors();
    expect(error?.origin).toMatch(/bomb\.json\.gz$/);
    expect(error?.reason).toMatch(/decompressed size exceeds 32 MiB/);
  });
});

describe('duplicate event ids with different content', () => {
  const id = (n: number) => cloudtrailRecord(n).eventID as string;

  interface ConflictRow {
    event_id: string;
    stored_origin: string;
    stored_position: number;
    origin: string;
    position: number;
    stored_digest: string;
    incoming_digest: string;
    differs: string[];
    run_id: number;
  }

  async function conflicts(): Promise<ConflictRow[]> {
    const reader = await store.connection.runAndReadAll(
      `select event_id, stored_origin, stored_position::int as stored_position, origin, position::int as position,
  stored_digest, incoming_digest, differs, run_id::int as run_id
from event_conflicts
order by event_id, origin, position`,
    );
    return reader.getRowObjectsJson() as unknown as ConflictRow[];
  }

  async function storedDigest(eventId: string): Promise<string> {
    const reader = await store.connection.runAndReadAll(
      'select sha256(json(raw)::varchar) from events where event_id = $1',
      [eventId],
    );
    return String(reader.getRows()[0]?.[0]);
  }

  const lines = (records: readonly Record<string, unknown>[]) =>
    records.map((r) => JSON.stringify(r)).join('\n');

  it('within one file: the first copy is kept, the different one recorded once, the identical one silently', async () => {
    const file = join(dir, 'in', 'twice.ndjson');
    writeFileSync(
      file,
      lines([
        cloudtrailRecord(1),
        cloudtrailRecord(1, { sourceIPAddress: '203.0.113.66', userAgent: 'evil/1.0' }),
        cloudtrailRecord(1),
        cloudtrailRecord(2),
      ]),
    );
    const summary = await ingest();
    expect(summary).toMatchObject({ events_new: 2, events_duplicate: 2, events_conflicting: 1 });
    expect(await count()).toBe(2);
    const reader = await store.connection.runAndReadAll('select source_ip from events where event_id = $1', [
      id(1),
    ]);
    expect(reader.getRows()).toEqual([['198.51.100.7']]);
    const [conflict, ...more] = await conflicts();
    expect(more).toEqual([]);
    expect(conflict).toMatchObject({
      event_id: id(1),
      stored_origin: file,
      stored_position: 1,
      origin: file,
      position: 2,
      differs: ['source_ip', 'user_agent'],
    });
    expect(conflict?.stored_digest).toBe(await storedDigest(id(1)));
    expect(conflict?.incoming_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(conflict?.incoming_digest).not.toBe(conflict?.stored_digest);
  });

  it('across files and runs; a rerun of the same input records nothing twice', async () => {
    writeFileSync(
      join(dir, 'in', 'a.json'),
      JSON.stringify({ Records: [cloudtrailRecord(1), cloudtrailRecord(2)] }),
    );
    const first = await ingest();
    expect(first).toMatchObject({ events_new: 2, events_conflicting: 0 });
    // The same events again, pretty-printed (whitespace only: not a conflict), one of them altered
    // in a field no column is read from.
    writeFileSync(
      join(dir, 'in', 'b.json'),
      JSON.stringify(
        { Records: [cloudtrailRecord(1), cloudtrailRecord(2, { additionalEventData: { x: 1 } })] },
        null,
        2,
      ),
    );
    const second = await ingest();
    expect(second).toMatchObject({ events_new: 0, events_duplicate: 2, events_conflicting: 1 });
    const recorded = await conflicts();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ event_id: id(2), differs: [] });
    expect(recorded[0]?.origin).toMatch(/b\.json$/);
    expect(recorded[0]?.stored_origin).toMatch(/a\.json$/);

    // Forget the checkpoints so every file is read again: all duplicates, no new conflict rows.
    await store.connection.run('delete from checkpoints');
    const rerun = await ingest();
    expect(rerun).toMatchObject({ events_new: 0, events_duplicate: 4, events_conflicting: 0 });
    expect(await conflicts()).toEqual(recorded);
    expect(await count()).toBe(2);
  });

  it('a copy with another event time inside the batch time range is found too', async () => {
    writeFileSync(join(dir, 'in', 'a.ndjson'), lines([cloudtrailRecord(1)]));
    await ingest();
    // Stored at 10:00:01; the copy says 10:00:30 and the batch spans 10:00:00-10:00:30.
    writeFileSync(
      join(dir, 'in', 'b.ndjson'),
      lines([cloudtrailRecord(1, { eventTime: '2026-11-02T10:00:30Z' }), cloudtrailRecord(0)]),
    );
    const summary = await ingest();
    expect(summary).toMatchObject({ events_new: 1, events_duplicate: 1, events_conflicting: 1 });
    const [conflict] = await conflicts();
    expect(conflict).toMatchObject({ event_id: id(1), position: 1, differs: ['event_time'] });
  });

  it('ordinary duplicates (the same record again) record nothing', async () => {
    const records = Array.from({ length: 50 }, (_, i) => cloudtrailRecord(i));
    writeFileSync(join(dir, 'in', 'a.json'), JSON.stringify({ Records: records }));
    writeFileSync(join(dir, 'in', 'b.ndjson'), lines(records));
    // Other whitespace: the line reader keeps each record's text as written.
    writeFileSync(join(dir, 'in', 'c.ndjson'), lines(records).replaceAll('":', '" : '));
    const summary = await ingest();
    expect(summary).toMatchObject({ events_new: 50, events_duplicate: 100, events_conflicting: 0 });
    expect(await conflicts()).toEqual([]);
  });
});
