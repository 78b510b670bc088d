import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, listFrom } from '../../../src/connectors/aws/s3-trail.js';
import { openStore } from '../../../src/store/open-store.js';
import { type S3Fake, type S3FakeOptions, type S3Request, startS3Fake } from '../../fakes/aws-s3-fake.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  checkpoint,
  duplicateCount,
  eventId,
  eventIds,
  FAST_RETRY,
  ingestAws,
  record,
  testContext,
  trailObject,
} from './helpers.js';

const NOW = Date.parse('2026-11-03T12:00:00Z');
const MINUTE = 60_000;
const BUCKET = 'org-trail-logs';
const ORG = 'o-abcdef1234';
let fake: S3Fake | null = null;

async function startFake(options: S3FakeOptions = {}): Promise<S3Fake> {
  fake = await startS3Fake({ pageSize: 3, ...options });
  fake.createBucket(BUCKET);
  return fake;
}

afterEach(async () => {
  await fake?.close();
  fake = null;
});

function keyFor(base: string, account: string, region: string, time: number, suffix: string): string {
  const iso = new Date(time).toISOString();
  const day = iso.slice(0, 10).replaceAll('-', '/');
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `${base}${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

/** Puts a trail file of `count` events numbered from `from`; returns their ids. */
function putFile(
  s3: S3Fake,
  base: string,
  account: string,
  region: string,
  time: number,
  suffix: string,
  from: number,
  count: number,
): string[] {
  const records = Array.from({ length: count }, (_, i) => record(from + i, time - i * 1000, account, region));
  s3.put(BUCKET, keyFor(base, account, region, time, suffix), trailObject(records));
  return records.map((r) => String(r.eventID));
}

const STREAMS = [
  ['trail/AWSLogs/', ACCOUNT_A, 'us-east-1', 1000],
  ['trail/AWSLogs/', ACCOUNT_A, 'eu-west-1', 2000],
  [`trail/AWSLogs/${ORG}/`, ACCOUNT_B, 'us-east-1', 3000],
] as const;

/** Two days of files every 30 minutes from 2026-11-02T00:00Z, 7 events each, for three account/regions. */
function populate(s3: S3Fake): string[] {
  const ids: string[] = [];
  for (const [base, account, region, from] of STREAMS) {
    for (let f = 0; f < 8; f++) {
      const t = Date.parse('2026-11-02T00:00:00Z') + f * 5 * 60 * MINUTE;
      ids.push(...putFile(s3, base, account, region, t, `u${f}`, from + f * 10, 7));
    }
  }
  // Not named as CloudTrail names digests: never read (real ones: s3-digests.test.ts).
  s3.put(
    BUCKET,
    `trail/AWSLogs/${ACCOUNT_A}/CloudTrail-Digest/us-east-1/2026/11/02/digest.json.gz`,
    gzipSync('{"digestStartTime":"x","logFiles":[]}'),
  );
  // Outside the prefix: never read.
  s3.put(
    BUCKET,
    keyFor('other/AWSLogs/', ACCOUNT_A, 'us-east-1', NOW - 60 * MINUTE, 'x'),
    trailObject([record(9999, NOW, ACCOUNT_A, 'us-east-1')]),
  );
  return ids.sort();
}

function s3Source(url: string, extra: Record<string, unknown> = {}) {
  return {
    mode: 's3',
    bucket: BUCKET,
    prefix: 'trail',
    start: '2026-11-02',
    retry: FAST_RETRY,
    concurrency: 3,
    endpoint: url,
    credentials: {
      access_key_id_env: 'AUDITLAKE_TEST_KEY_A',
      secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
    },
    ...extra,
  };
}

const gets = (log: readonly S3Request[]) => log.filter((r) => r.op === 'GetObject').map((r) => r.key);

describe('CloudTrail S3 trail connector', () => {
  it('discovers accounts and regions (organization trails too), reads every object once, then only new and late ones', async () => {
    const s3 = await startFake();
    const expected = populate(s3);
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const context = testContext(NOW);
      const [first] = await ingestAws(c, [s3Source(s3.url)], context);
      expect(first).toMatchObject({
        stream: `cloudtrail-s3/${BUCKET}/trail/`,
        status: 'ok',
        pages: 24,
        events_new: 168,
      });
      expect(await eventIds(c)).toEqual(expected);
      expect(gets(s3.log).every((k) => k?.startsWith('trail/AWSLogs/') && k.includes('/CloudTrail/'))).toBe(
        true,
      );
      const origin = (
        await c.runAndReadAll(`select origin from events where event_id = '${eventId(1000)}'`)
      ).getRows();
      expect(String(origin[0]?.[0])).toMatch(
        /^s3:\/\/org-trail-logs\/trail\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2026\/11\/02\/.*_u0\.json\.gz$/,
      );
      const cursor = (await checkpoint(c, `cloudtrail-s3/${BUCKET}/trail/`)) as {
        streams: Record<string, { after: string }>;
      };
      expect(Object.keys(cursor.streams).sort()).toEqual([
        `${ACCOUNT_A}/eu-west-1`,
        `${ACCOUNT_A}/us-east-1`,
        `${ORG}/${ACCOUNT_B}/us-east-1`,
      ]);

      // Nothing new: no object is downloaded again, and listing starts at the checkpoint's day.
      let mark = s3.log.length;
      const [idle] = await ingestAws(c, [s3Source(s3.url)], context);
      expect(idle).toMatchObject({ status: 'ok', events_new: 0 });
      expect(gets(s3.log.slice(mark))).toEqual([]);
      const dayLists = s3.log
        .slice(mark)
        .filter((r) => r.op === 'ListObjectsV2' && !r.query.get('delimiter'));
      expect(
        dayLists.every(
          (r) =>
            r.query.get('prefix')?.includes('/2026/11/02/') ||
            r.query.get('prefix')?.includes('/2026/11/03/'),
        ),
      ).toBe(true);

      // A file delivered late under an earlier name (same minute, smaller random suffix), a new
      // file the next day, and one beyond the overlap that is not looked for.
      // The last file read is 2026-11-03T11:00Z '_u7'.
      const late = putFile(
        s3,
        'trail/AWSLogs/',
        ACCOUNT_A,
        'us-east-1',
        Date.parse('2026-11-03T11:00:00Z'),
        'a0',
        1500,
        3,
      );
      const fresh = putFile(
        s3,
        'trail/AWSLogs/',
        ACCOUNT_A,
        'us-east-1',
        Date.parse('2026-11-03T11:30:00Z'),
        'n1',
        1600,
        4,
      );
      putFile(
        s3,
        'trail/AWSLogs/',
        ACCOUNT_A,
        'us-east-1',
        Date.parse('2026-11-03T10:40:00Z'),
        'old',
        1700,
        2,
      );
      mark = s3.log.length;
      const [second] = await ingestAws(c, [s3Source(s3.url)], context);
      expect(second).toMatchObject({ status: 'ok', events_new: 7 });
      expect(gets(s3.log.slice(mark))).toHaveLength(2);
      expect(await eventIds(c)).toEqual([...expected, ...late, ...fresh].sort());
      expect(await duplicateCount(c)).toBe(0);
    } finally {
      store.close();
    }
  });

  it('retries SlowDown, 5xx and cut downloads; salvages a damaged object; one denied region fails alone', async () => {
    const s3 = await startFake({
      fault: (r) => {
        if (r.op === 'ListObjectsV2' && r.n % 5 === 0)
          return {
            kind: 'error',
            status: 503,
            code: 'SlowDown',
            message: 'Please reduce your request rate.',
            retryAfter: 0,
          };
        if (
          r.op === 'GetObject' &&
          r.key?.includes('_u1.') &&
          r.key.includes(ACCOUNT_A) &&
          !truncated.has(r.key)
        ) {
          truncated.add(r.key);
          return { kind: 'truncate' };
        }
        if (r.op === 'GetObject' && r.key?.includes('_u2.') && !failed.has(r.key)) {
          failed.add(r.key);
          return {
            kind: 'error',
            status: 500,
            code: 'InternalError',
            message: 'We encountered an internal error.',
          };
        }
        if (r.op === 'GetObject' && r.key?.includes('/eu-west-1/')) {
          return { kind: 'error', status: 403, code: 'AccessDenied', message: 'Access Denied' };
        }
        return null;
      },
    });
    const truncated = new Set<string>();
    const failed = new Set<string>();
    const expected = populate(s3);
    // A damaged object: its gzip stream ends half way.
    const damagedRecords = Array.from({ length: 50 }, (_, i) =>
      record(5000 + i, NOW - 3 * 60 * MINUTE, ACCOUNT_B, 'us-east-1'),
    );
    const whole = trailObject(damagedRecords);
    s3.put(
      BUCKET,
      keyFor(`trail/AWSLogs/${ORG}/`, ACCOUNT_B, 'us-east-1', NOW - 3 * 60 * MINUTE, 'bad'),
      whole.subarray(0, Math.floor(whole.length * 0.6)),
    );
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const context = testContext(NOW);
      const [summary] = await ingestAws(c, [s3Source(s3.url)], context);
      expect(summary?.status).toBe('failed');
      expect(summary?.error).toMatch(
        /^aws bucket s3:\/\/org-trail-logs\/trail\/ \[cloudtrail-s3\/org-trail-logs\/trail\/\]: malformed: 1 damaged object\(s\) .*_bad\.json\.gz: truncated gzip stream .*\(request id s3-req-\d+\)$/,
      );
      const denied = context.lines.find((l) => l.event === 'aws.s3_stream_failed');
      expect(String(denied?.fields.error)).toMatch(
        /permission: GetObject s3:\/\/org-trail-logs\/.*eu-west-1.*AccessDenied: Access Denied \(request id s3-req-\d+\)/,
      );
      const ids = await eventIds(c);
      const salvaged = ids.filter((id) => id >= eventId(5000) && id < eventId(5050));
      expect(salvaged.length).toBeGreaterThan(0);
      expect(salvaged.length).toBeLessThan(50);
      const readable = expected.filter((id) => id < eventId(2000) || id >= eventId(3000));
      expect(ids.filter((id) => id < eventId(5000))).toEqual(readable);
      expect(context.lines.filter((l) => l.event === 'aws.retry').length).toBeGreaterThanOrEqual(3);

      // The denial is lifted: the rerun reads eu-west-1, and does not read the damaged object again.
      await fake?.close();
      const s3b = await startFake();
      populate(s3b);
      s3b.put(
        BUCKET,
        keyFor(`trail/AWSLogs/${ORG}/`, ACCOUNT_B, 'us-east-1', NOW - 3 * 60 * MINUTE, 'bad'),
        whole.subarray(0, Math.floor(whole.length * 0.6)),
      );
      const [again] = await ingestAws(c, [s3Source(s3b.url)], context);
      expect(again).toMatchObject({ status: 'ok', events_new: 56 });
      expect(gets(s3b.log).every((k) => k?.includes('/eu-west-1/'))).toBe(true);
      expect((await eventIds(c)).filter((id) => id < eventId(5000))).toEqual(expected);
    } finally {
      store.close();
    }
  });

  it('names a missing bucket and refused credentials in one line with the request id', async () => {
    const s3 = await startFake({ accessKeys: ['AKIAFAKEACCOUNTA0001'] });
    const store = await openStore({ path: ':memory:' });
    try {
      const context = testContext(NOW);
      const [missing] = await ingestAws(
        store.connection,
        [s3Source(s3.url, { bucket: 'no-such-trail-bucket' })],
        context,
      );
      expect(missing?.error).toMatch(
        /^aws bucket s3:\/\/no-such-trail-bucket\/trail\/ \[.*\]: not_found: s3:\/\/no-such-trail-bucket: NoSuchBucket: The specified bucket does not exist \(request id s3-req-\d+\)$/,
      );
      const [refused] = await ingestAws(
        store.connection,
        [
          s3Source(s3.url, {
            credentials: {
              access_key_id_env: 'AUDITLAKE_TEST_KEY_B',
              secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
            },
          }),
        ],
        context,
      );
      expect(refused?.error).toMatch(
        /: auth: s3:\/\/org-trail-logs: InvalidAccessKeyId: .* \(request id s3-req-\d+\)$/,
      );
    } finally {
      store.close();
    }
  });

  it('resumes listing at the overlap before the last key and skips the keys it already read', () => {
    const stream = { id: `${ACCOUNT_A}/us-east-1`, base: `AWSLogs/${ACCOUNT_A}/CloudTrail/us-east-1/` };
    const key = (stamp: string, day: string, s: string) =>
      `${stream.base}${day}/${ACCOUNT_A}_CloudTrail_us-east-1_${stamp}_${s}.json.gz`;
    const last = key('20261103T0005Z', '2026/11/03', 'zz');
    // 15 minutes before 00:05 is the previous day's folder.
    expect(listFrom(stream, { after: last, recent: [] }, 15 * MINUTE)).toBe(
      `${stream.base}2026/11/02/${ACCOUNT_A}_CloudTrail_us-east-1_20261102T2350Z`,
    );
    let cursor = advance(undefined, key('20261102T2340Z', '2026/11/02', 'a'), 15 * MINUTE);
    cursor = advance(cursor, key('20261102T2355Z', '2026/11/02', 'b'), 15 * MINUTE);
    cursor = advance(cursor, last, 15 * MINUTE);
    expect(cursor).toEqual({ after: last, recent: [key('20261102T2355Z', '2026/11/02', 'b'), last] });
    // A late file with a smaller name leaves `after` alone and joins `recent`.
    const late = key('20261103T0005Z', '2026/11/03', 'aa');
    expect(advance(cursor, late, 15 * MINUTE)).toEqual({
      after: last,
      recent: [key('20261102T2355Z', '2026/11/02', 'b'), late, last].sort(),
    });
  });
});
