import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { ingestMemoryLimit } from '../../src/store/ingest-memory.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { openStagingConnections } from '../../src/store/staging.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-ingest-'));
  mkdirSync(join(dir, 'in'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Each test runs twice: every statement on the store's connection, and pipelined over staging ones. */
let pipelined = false;

async function ingest(options: { batchRecords?: number } = {}) {
  const runId = await startRun(store.connection, 'test');
  return ingestFiles(store.connection, runId, {
    paths: [join(dir, 'in')],
    ...(pipelined ? { staging: await openStagingConnections(store) } : {}),
    ...options,
  });
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await store.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function eventIds(): Promise<string[]> {
  return (await rows('select event_id from events order by event_id')).map((r) => String(r.event_id));
}

const ids = (ns: number[]) => ns.map((n) => String(cloudtrailRecord(n).eventID)).sort();
const records = (ns: number[]) => ns.map((n) => cloudtrailRecord(n));

describe.each([
  ['one connection', false],
  ['staging connections', true],
])('ingestFiles (%s)', (_mode, staged) => {
  beforeEach(() => {
    pipelined = staged;
  });

  it('loads CloudTrail files by content (gzip or not, any name) and stores each event once', async () => {
    writeFileSync(join(dir, 'in', 'a.json.gz'), gzipSync(JSON.stringify({ Records: records([1, 2, 3]) })));
    writeFileSync(join(dir, 'in', 'renamed.log'), gzipSync(JSON.stringify({ Records: records([3, 4]) })));
    writeFileSync(join(dir, 'in', 'plain.json'), JSON.stringify({ Records: records([5]) }));
    const summary = await ingest();
    expect(summary).toMatchObject({
      files_read: 3,
      records: 6,
      events_new: 5,
      events_duplicate: 1,
      errors: 0,
    });
    expect(await eventIds()).toEqual(ids([1, 2, 3, 4, 5]));
    const [origin] = await rows(`select origin, position from events where event_id = '${ids([5])[0]}'`);
    expect(origin).toEqual({ origin: join(dir, 'in', 'plain.json'), position: 1n });
  });

  it("reads CloudTrail files with DuckDB's bulk reader within the CLI's memory limit, and says when it cannot", async () => {
    // The CLI opens the store with this limit; a reader that needed more silently fell back to the
    // slower Node path on every batch once (ingest-files.ts, MAX_OBJECT_BYTES).
    store.close();
    store = await openStore({ path: join(dir, 'limited.duckdb'), memoryLimit: ingestMemoryLimit({}) });
    for (let f = 0; f < 4; f++) {
      const batch = records(Array.from({ length: 50 }, (_, i) => f * 50 + i + 1));
      writeFileSync(join(dir, 'in', `trail-${f}.json.gz`), gzipSync(JSON.stringify({ Records: batch })));
    }
    const clean = await ingest();
    expect(clean).toMatchObject({ files_read: 4, events_new: 200, files_read_in_node: 0 });
    expect(clean.bulk_fallback).toBeUndefined();

    // A file DuckDB's reader refuses (cut short) is read in Node, and the summary says so.
    const cut = gzipSync(JSON.stringify({ Records: records([901, 902, 903]) }));
    writeFileSync(join(dir, 'in', 'cut.json.gz'), cut.subarray(0, cut.length - 20));
    const slow = await ingest();
    expect(slow.files_read_in_node).toBe(1);
    expect(slow.bulk_fallback).toMatch(/cut\.json\.gz|gzip|unexpected|error/i);
  });

  it('reads a file too large for the bulk reader in Node without taking the small files with it', async () => {
    store.close();
    store = await openStore({ path: join(dir, 'limited.duckdb'), memoryLimit: ingestMemoryLimit({}) });
    // About 45 MB decompressed, as busy accounts' CloudTrail files are: its reader buffers do not fit
    // the CLI's limit, the small files' do.
    const big = Array.from({ length: 20_000 }, (_, i) =>
      cloudtrailRecord(10_000 + i, { padding: 'x'.repeat(1500) }),
    );
    writeFileSync(join(dir, 'in', 'a-big.json.gz'), gzipSync(JSON.stringify({ Records: big })));
    for (let f = 0; f < 3; f++) {
      writeFileSync(
        join(dir, 'in', `b-small-${f}.json.gz`),
        gzipSync(JSON.stringify({ Records: records([f + 1]) })),
      );
    }
    const summary = await ingest();
    expect(summary).toMatchObject({ files_read: 4, events_new: 20_003, errors: 0 });
    expect(summary.files_read_in_node).toBeLessThanOrEqual(1);
  });

  it('keeps every good record of a truncated gzip file and records where it broke', async () => {
    const many = records(Array.from({ length: 400 }, (_, i) => i + 1));
    const gz = gzipSync(JSON.stringify({ Records: many }));
    writeFileSync(join(dir, 'in', 'cut.json.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const summary = await ingest();
    expect(summary.errors).toBe(1);
    const kept = await eventIds();
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toEqual(ids(Array.from({ length: kept.length }, (_, i) => i + 1)));
    const [error] = await rows('select origin, position, reason from ingest_errors');
    expect(error?.origin).toBe(join(dir, 'in', 'cut.json.gz'));
    expect(String(error?.position)).toMatch(/^byte \d+ \(line 1\)$/);
    expect(String(error?.reason)).toMatch(/truncated gzip/);
  });

  it('reports malformed lines, unknown shapes, records without id or time, empty and non-JSON files, by line', async () => {
    const noId = cloudtrailRecord(8);
    delete noId.eventID;
    const lines = [
      JSON.stringify(cloudtrailRecord(6)),
      '{"eventVersion": "1.08", "eventTime": ',
      '',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify(noId),
      JSON.stringify(cloudtrailRecord(9, { eventTime: 'yesterday' })),
      JSON.stringify(cloudtrailRecord(7)),
    ];
    writeFileSync(join(dir, 'in', 'events.ndjson'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'in', 'empty.json'), '');
    writeFileSync(join(dir, 'in', 'notes.txt'), 'not a log');
    writeFileSync(
      join(dir, 'in', 'digest.json.gz'),
      gzipSync(
        JSON.stringify({
          awsAccountId: '111122223333',
          digestStartTime: '2026-11-02T10:00:00Z',
          logFiles: [],
        }),
      ),
    );
    const summary = await ingest();
    expect(await eventIds()).toEqual(ids([6, 7]));
    expect(summary.files_not_events).toHaveLength(1);
    const errors = await rows('select origin, position, reason from ingest_errors order by origin, position');
    expect(errors.map((e) => [String(e.origin).replace(`${dir}/in/`, ''), e.position, e.reason])).toEqual([
      ['empty.json', null, 'empty file'],
      ['events.ndjson', 'line 2', expect.stringMatching(/^malformed JSON/)],
      ['events.ndjson', 'line 4', expect.stringMatching(/^unrecognized record shape/)],
      ['events.ndjson', 'line 5', 'record has no event id'],
      ['events.ndjson', 'line 6', 'record has no parseable event time'],
      ['notes.txt', 'byte 0', expect.stringMatching(/^not JSON/)],
    ]);
  });

  it('is idempotent: a rerun skips unchanged files; a grown file adds only its new events', async () => {
    const file = join(dir, 'in', 'events.ndjson');
    writeFileSync(
      file,
      `${records([1, 2])
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    writeFileSync(join(dir, 'in', 'b.json.gz'), gzipSync(JSON.stringify({ Records: records([3]) })));
    await ingest();
    const second = await ingest();
    expect(second).toMatchObject({ files_read: 0, files_unchanged: 2, events_new: 0 });
    appendFileSync(file, `${JSON.stringify(cloudtrailRecord(4))}\n`);
    const third = await ingest();
    expect(third).toMatchObject({ files_read: 1, events_new: 1, events_duplicate: 2 });
    expect(await eventIds()).toEqual(ids([1, 2, 3, 4]));
    const [count] = await rows('select count(*)::int as n from ingest_errors');
    expect(count?.n).toBe(0);
  });

  it('commits large line files in batches with a resumable checkpoint', async () => {
    const file = join(dir, 'in', 'big.ndjson');
    writeFileSync(
      file,
      `${records(Array.from({ length: 25 }, (_, i) => i + 1))
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const summary = await ingest({ batchRecords: 10 });
    expect(summary.events_new).toBe(25);
    const [cp] = await rows(
      `select cursor->>'complete' as complete from checkpoints where origin = '${file}'`,
    );
    expect(cp?.complete).toBe('true');
    const [runs] = await rows('select count(distinct run_id)::int as runs, count(*)::int as n from events');
    expect(runs).toEqual({ runs: 1, n: 25 });
  });

  it('resumes a partly read file after its last committed line', async () => {
    const file = join(dir, 'in', 'big.ndjson');
    writeFileSync(
      file,
      `${records([1, 2, 3, 4])
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    await ingest();
    // Pretend the run died after committing the first two lines (checkpoint says line 2, incomplete),
    // and lines 3-4 never reached the store.
    await store.connection.run(`delete from events where event_id in ('${ids([3, 4]).join("','")}')`);
    await store.connection.run(
      `update checkpoints set cursor = json_merge_patch(cursor, '{"complete": false, "line": 2, "mtimeMs": 0}') where origin = '${file}'`,
    );
    const resumed = await ingest();
    expect(resumed).toMatchObject({ records: 2, events_new: 2, events_duplicate: 0 });
    expect(await eventIds()).toEqual(ids([1, 2, 3, 4]));
  });

  it('reads CloudWatch Logs subscription data and Log Analytics query results, mixed clouds in one run', async () => {
    const envelope = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: 'aws-cloudtrail-logs-111122223333',
      logStream: '111122223333_CloudTrail_us-east-1',
      logEvents: [1, 2].map((n) => ({
        id: `le${n}`,
        timestamp: 1,
        message: JSON.stringify(cloudtrailRecord(n)),
      })),
    };
    writeFileSync(join(dir, 'in', 'cwl.gz'), gzipSync(JSON.stringify(envelope)));
    const signin = {
      tables: [
        {
          name: 'PrimaryResult',
          columns: [
            'TimeGenerated',
            'Type',
            'Id',
            'UserPrincipalName',
            'IPAddress',
            'ResultType',
            'AppDisplayName',
            'TenantId',
          ].map((name) => ({ name, type: 'string' })),
          rows: [
            [
              '2026-11-02T09:00:00Z',
              'SigninLogs',
              '7f1b0c2e-0000-4000-8000-000000000001',
              'dana@contoso.example',
              '203.0.113.9',
              '50126',
              'Azure Portal',
              '00000000-0000-0000-0000-00000000aaaa',
            ],
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'in', 'la-result.json'), JSON.stringify(signin));
    const summary = await ingest();
    expect(summary).toMatchObject({ events_new: 3, errors: 0 });
    const stored = await rows(
      'select source, format, actor, outcome, origin from events order by event_time',
    );
    expect(stored.map((r) => [r.source, r.format, r.actor, r.outcome])).toEqual([
      ['azure', 'entra_signin', 'dana@contoso.example', 'failure'],
      ['aws', 'cloudtrail', 'arn:aws:iam::111122223333:user/alice', 'success'],
      ['aws', 'cloudtrail', 'arn:aws:iam::111122223333:user/alice', 'success'],
    ]);
  });
});
