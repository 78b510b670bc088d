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
