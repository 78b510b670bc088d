import { afterEach, describe, expect, it } from 'vitest';
import { COMMERCIAL_REGIONS, isOptInRegion } from '../../../src/connectors/aws/regions.js';
import { openStore } from '../../../src/store/open-store.js';
import {
  type CloudTrailFake,
  type CloudTrailFakeOptions,
  startCloudTrailFake,
} from '../../fakes/aws-cloudtrail-fake.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  accountKeys,
  checkpoint,
  duplicateCount,
  eventId,
  eventIds,
  FAST_RETRY,
  fakeEvents,
  ingestAws,
  KEYS,
  testContext,
} from './helpers.js';

const NOW = Date.parse('2026-11-02T12:00:00Z');
const MINUTE = 60_000;
let fake: CloudTrailFake | null = null;

async function startFake(options: Partial<CloudTrailFakeOptions> = {}): Promise<CloudTrailFake> {
  fake = await startCloudTrailFake({ accounts: { [KEYS.a]: ACCOUNT_A, [KEYS.b]: ACCOUNT_B }, ...options });
  return fake;
}

afterEach(async () => {
  await fake?.close();
  fake = null;
});

function apiSource(url: string, extra: Record<string, unknown> = {}) {
  return {
    mode: 'api',
    accounts: [accountKeys(ACCOUNT_A, 'A'), accountKeys(ACCOUNT_B, 'B')],
    regions: ['us-east-1', 'eu-west-1'],
    start: '2026-11-01',
    requests_per_second: 200,
    retry: FAST_RETRY,
    endpoint: url,
    ...extra,
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => eventId(from + i));

describe('CloudTrail LookupEvents connector', () => {
  it('reads every page of every account-region, then only what is new, late events within the overlap included', async () => {
    const ct = await startFake();
    // 120 events per account-region (3 pages of 50), one a minute, the newest 10 minutes old.
    const scopes = [
      [ACCOUNT_A, 'us-east-1', 1000],
      [ACCOUNT_A, 'eu-west-1', 2000],
      [ACCOUNT_B, 'us-east-1', 3000],
      [ACCOUNT_B, 'eu-west-1', 4000],
    ] as const;
    for (const [account, region, from] of scopes)
      ct.add(account, region, fakeEvents(from, 120, NOW - 10 * MINUTE, MINUTE, account, region));
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const context = testContext(NOW);
      const first = await ingestAws(c, [apiSource(ct.url)], context);
      expect(first.map((s) => [s.stream, s.status, s.events_new])).toEqual([
        [`cloudtrail-api/${ACCOUNT_A}/us-east-1`, 'ok', 120],
        [`cloudtrail-api/${ACCOUNT_A}/eu-west-1`, 'ok', 120],
        [`cloudtrail-api/${ACCOUNT_B}/us-east-1`, 'ok', 120],
        [`cloudtrail-api/${ACCOUNT_B}/eu-west-1`, 'ok', 120],
      ]);
      expect(await eventIds(c)).toEqual(scopes.flatMap(([, , from]) => range(from, 120)));
      expect(await checkpoint(c, `cloudtrail-api/${ACCOUNT_A}/us-east-1`)).toEqual({
        through: '2026-11-02T12:00:00.000Z',
      });
      // The raw column holds the CloudTrailEvent string untouched.
      const raw = (
        await c.runAndReadAll(`select raw::varchar, origin from events where event_id = '${eventId(1000)}'`)
      ).getRows();
      expect(JSON.parse(String(raw[0]?.[0]))).toMatchObject({
        eventID: eventId(1000),
        awsRegion: 'us-east-1',
      });
      expect(raw[0]?.[1]).toBe(`cloudtrail-api:${ACCOUNT_A}/us-east-1`);

      // An hour later: 5 new events, and one late event timed 5 minutes before the last run's end.
      ct.add(ACCOUNT_A, 'us-east-1', fakeEvents(1500, 5, NOW + 50 * MINUTE, MINUTE, ACCOUNT_A, 'us-east-1'));
      ct.add(ACCOUNT_A, 'us-east-1', fakeEvents(1600, 1, NOW - 5 * MINUTE, 0, ACCOUNT_A, 'us-east-1'));
      // Too late for the overlap: an event 20 minutes behind the checkpoint is not looked for.
      ct.add(ACCOUNT_B, 'us-east-1', fakeEvents(3600, 1, NOW - 20 * MINUTE, 0, ACCOUNT_B, 'us-east-1'));
      context.setNow(NOW + 60 * MINUTE);
      const before = ct.log.length;
      const second = await ingestAws(c, [apiSource(ct.url)], context);
      expect(second.map((s) => [s.status, s.events_new])).toEqual([
        ['ok', 6],
        ['ok', 0],
        ['ok', 0],
        ['ok', 0],
      ]);
      // One page per stream, each starting 15 minutes (the overlap) before the previous end.
      const rerun = ct.log.slice(before);
      expect(rerun).toHaveLength(4);
      for (const r of rerun) expect(r.body.StartTime).toBe((NOW - 15 * MINUTE) / 1000);
      expect(await duplicateCount(c)).toBe(0);
      expect(await eventIds(c)).toEqual(
        [...scopes.flatMap(([, , from]) => range(from, 120)), ...range(1500, 5), ...range(1600, 1)].sort(),
      );
    } finally {
      store.close();
    }
  });

  it('rides out throttling, 5xx and cut connections; a rejected key or AccessDenied fails only its stream, with the request id', async () => {
    const ct = await startFake({
      fault: (r) => {
        if (r.account === ACCOUNT_A && r.region === 'us-east-1') {
          if (r.n === 1 || r.n === 2)
            return { kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
          if (r.n === 3) return { kind: 'error', status: 503, type: 'ServiceUnavailableException' };
          if (r.n === 5) return { kind: 'reset' };
        }
        if (r.account === ACCOUNT_B && r.region === 'eu-west-1') {
          return {
            kind: 'error',
            status: 400,
            type: 'AccessDeniedException',
            message: 'User is not authorized to perform: cloudtrail:LookupEvents',
          };
        }
        return null;
      },
    });
    for (const [account, region, from] of [
      [ACCOUNT_A, 'us-east-1', 1000],
      [ACCOUNT_B, 'us-east-1', 3000],
      [ACCOUNT_B, 'eu-west-1', 4000],
    ] as const) {
      ct.add(account, region, fakeEvents(from, 120, NOW - 10 * MINUTE, MINUTE, account, region));
    }
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const context = testContext(NOW);
      process.env.AUDITLAKE_TEST_KEY_BAD = 'AKIAUNKNOWNKEY000000';
      const summaries = await ingestAws(
        c,
        [
          apiSource(ct.url, { accounts: [accountKeys(ACCOUNT_A, 'A'), accountKeys(ACCOUNT_B, 'B')] }),
          apiSource(ct.url, {
            accounts: [
              {
                id: '999988887777',
                access_key_id_env: 'AUDITLAKE_TEST_KEY_BAD',
                secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
              },
            ],
            regions: ['us-east-1'],
          }),
        ],
        context,
      );
      const by = new Map(summaries.map((s) => [s.stream, s]));
      expect(by.get(`cloudtrail-api/${ACCOUNT_A}/us-east-1`)).toMatchObject({
        status: 'ok',
        events_new: 120,
      });
      expect(by.get(`cloudtrail-api/${ACCOUNT_B}/us-east-1`)).toMatchObject({
        status: 'ok',
        events_new: 120,
      });
      expect(by.get(`cloudtrail-api/${ACCOUNT_B}/eu-west-1`)?.error).toMatch(
        /^aws account 444455556666 eu-west-1 \[cloudtrail-api\/444455556666\/eu-west-1\]: permission: LookupEvents: AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents \(request id ct-req-\d+\)$/,
      );
      expect(by.get('cloudtrail-api/999988887777/us-east-1')?.error).toMatch(
        /^aws account 999988887777 us-east-1 .*: auth: LookupEvents: UnrecognizedClientException: The security token included in the request is invalid\. \(request id ct-req-\d+\)$/,
      );
      expect(context.lines.filter((l) => l.event === 'aws.retry').map((l) => l.fields.error)).toEqual([
        'ThrottlingException',
        'ThrottlingException',
        'ServiceUnavailableException',
        'TimeoutError',
      ]);
      // Logs carry no secrets.
      expect(JSON.stringify(context.lines)).not.toContain('fake-secret');
    } finally {
      store.close();
    }
  });

  it('resumes an interrupted window below the last committed page and ends with exactly a clean run', async () => {
    const make = async () => {
      const ct = await startFake({ pageSize: 10 });
      ct.add(ACCOUNT_A, 'us-east-1', fakeEvents(1000, 95, NOW - MINUTE, 30_000, ACCOUNT_A, 'us-east-1'));
      ct.add(ACCOUNT_B, 'eu-west-1', fakeEvents(4000, 64, NOW - MINUTE, 45_000, ACCOUNT_B, 'eu-west-1'));
      return ct;
    };
    const source = (url: string) =>
      apiSource(url, {
        accounts: [accountKeys(ACCOUNT_A, 'A'), accountKeys(ACCOUNT_B, 'B')],
        regions: ['us-east-1', 'eu-west-1'],
        // Slow enough that the run is cut with pages still to read.
        requests_per_second: 5,
      });
    const clean = await openStore({ path: ':memory:' });
    const interrupted = await openStore({ path: ':memory:' });
    try {
      let ct = await make();
      await ingestAws(clean.connection, [source(ct.url)], testContext(NOW));
      const expected = await eventIds(clean.connection);
      expect(expected).toHaveLength(159);
      await ct.close();

      ct = await make();
      const controller = new AbortController();
      let batches = 0;
      const context = testContext(NOW);
      const cut = await ingestAws(interrupted.connection, [source(ct.url)], context, {
        signal: controller.signal,
        onBatch: () => {
          if (++batches === 1) controller.abort(new Error('interrupted'));
        },
      });
      expect(cut.some((s) => s.status === 'failed')).toBe(true);
      const partial = await eventIds(interrupted.connection);
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.length).toBeLessThan(159);
      const mid = (await checkpoint(interrupted.connection, `cloudtrail-api/${ACCOUNT_A}/us-east-1`)) as {
        window?: { down_to: string };
      };
      expect(mid.window?.down_to).toBeDefined();

      // The rerun (a little later) starts below the committed pages, then reads on to now.
      const before = ct.log.length;
      context.setNow(NOW + 5 * MINUTE);
      const rerun = await ingestAws(interrupted.connection, [source(ct.url)], context);
      expect(rerun.every((s) => s.status === 'ok')).toBe(true);
      const resumed = ct.log.slice(before).find((r) => r.account === ACCOUNT_A && r.region === 'us-east-1');
      expect(resumed?.body.EndTime).toBe(Date.parse(mid.window?.down_to ?? '') / 1000 + 1);
      expect(await eventIds(interrupted.connection)).toEqual(expected);
      expect(await duplicateCount(interrupted.connection)).toBe(0);
    } finally {
      clean.close();
      interrupted.close();
    }
  });

  it('fails a malformed page after committing the pages before it; the rerun completes', async () => {
    let broken = true;
    const ct = await startFake({
      pageSize: 20,
      fault: (r) =>
        broken && r.account === ACCOUNT_A && r.body.NextToken !== undefined ? { kind: 'malformed' } : null,
    });
    ct.add(ACCOUNT_A, 'us-east-1', fakeEvents(1000, 50, NOW - MINUTE, MINUTE, ACCOUNT_A, 'us-east-1'));
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const source = apiSource(ct.url, { accounts: [accountKeys(ACCOUNT_A, 'A')], regions: ['us-east-1'] });
      const [first] = await ingestAws(c, [source], testContext(NOW));
      expect(first).toMatchObject({ status: 'failed', events_new: 20 });
      expect(first?.error).toMatch(/: malformed: LookupEvents: SyntaxError: .*\(request id ct-req-\d+\)$/);
      broken = false;
      const [second] = await ingestAws(c, [source], testContext(NOW));
      expect(second).toMatchObject({ status: 'ok', events_new: 30 });
      expect(await eventIds(c)).toEqual(range(1000, 50));
    } finally {
      store.close();
    }
  });

  it('with regions: all, skips opt-in regions the account has not enabled', async () => {
    const ct = await startFake({
      fault: (r) =>
        isOptInRegion(r.region) && r.region !== 'af-south-1'
          ? {
              kind: 'error',
              status: 400,
              type: 'UnrecognizedClientException',
              message: 'The security token included in the request is invalid.',
            }
          : null,
    });
    ct.add(ACCOUNT_A, 'af-south-1', fakeEvents(1000, 3, NOW - MINUTE, MINUTE, ACCOUNT_A, 'af-south-1'));
    ct.add(ACCOUNT_A, 'eu-north-1', fakeEvents(2000, 2, NOW - MINUTE, MINUTE, ACCOUNT_A, 'eu-north-1'));
    const store = await openStore({ path: ':memory:' });
    try {
      const context = testContext(NOW);
      const source = apiSource(ct.url, { accounts: [accountKeys(ACCOUNT_A, 'A')], regions: 'all' });
      const summaries = await ingestAws(store.connection, [source], context);
      expect(summaries).toHaveLength(COMMERCIAL_REGIONS.length);
      expect(summaries.every((s) => s.status === 'ok')).toBe(true);
      expect(await eventIds(store.connection)).toEqual([...range(1000, 3), ...range(2000, 2)]);
      expect(context.lines.filter((l) => l.event === 'aws.region_skipped')).toHaveLength(
        COMMERCIAL_REGIONS.filter(isOptInRegion).length - 1,
      );
    } finally {
      store.close();
    }
  });

  it('keeps each account-region at its request ceiling: no throttling from a fake enforcing 2 requests/s', async () => {
    const ct = await startFake({ ratePerSecond: 2, burst: 1, pageSize: 5 });
    ct.add(ACCOUNT_A, 'us-east-1', fakeEvents(1000, 20, NOW - MINUTE, MINUTE, ACCOUNT_A, 'us-east-1'));
    ct.add(ACCOUNT_B, 'us-east-1', fakeEvents(3000, 20, NOW - MINUTE, MINUTE, ACCOUNT_B, 'us-east-1'));
    const store = await openStore({ path: ':memory:' });
    try {
      const source = apiSource(ct.url, { regions: ['us-east-1'], requests_per_second: 2 });
      const started = performance.now();
      const summaries = await ingestAws(store.connection, [source], testContext(NOW));
      const seconds = (performance.now() - started) / 1000;
      expect(summaries.every((s) => s.status === 'ok' && s.events_new === 20)).toBe(true);
      expect([...ct.throttled.values()].reduce((a, b) => a + b, 0)).toBe(0);
      // 4 pages per account-region at 2/s: at least 1.5 s, and the two account-regions side by side.
      expect(seconds).toBeGreaterThan(1.4);
      const [a, b] = [...ct.served.values()];
      expect(Math.min(...(b ?? []))).toBeLessThan(Math.max(...(a ?? [])));
      for (const times of ct.served.values()) {
        for (let i = 1; i < times.length; i++)
          expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThan(400);
      }
    } finally {
      store.close();
    }
  });
});
