import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshActivityProfile } from '../../src/detect/activity-profile.js';
import { plainValue } from '../../src/detect/plain-value.js';
import { pruneEvents } from '../../src/store/chain-prune.js';
import type { Store } from '../../src/store/open-store.js';
import { ingest, memoryStore, trailRecord } from './helpers.js';

let store: Store;

beforeEach(async () => {
  store = await memoryStore();
});

afterEach(() => {
  store.close();
});

/** A call by `user` at `time`; the rest as in trailRecord, overridable. */
function call(n: number, time: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return trailRecord(n, { eventTime: time, eventName: 'DescribeInstances', ...overrides });
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await store.connection.runAndReadAll(sql);
  return reader
    .getRowObjects()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainValue(v ?? null)])));
}

/** A list value sorted (numbers numerically), for comparing sets. */
function sorted(value: unknown): unknown[] {
  const list = Array.isArray(value) ? [...value] : [];
  return list.sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
}

async function profileOf(day: string): Promise<Record<string, unknown>[]> {
  return rows(`select * exclude (first_active_at, last_active_at)
from activity_days
where day = '${day}'::date
order by source, identity, actor`);
}

describe('activity profile', () => {
  it('keeps per day and principal the counts and value sets the baselines read', async () => {
    await ingest(store, [
      call(1, '2026-03-01T09:15:00Z'),
      call(2, '2026-03-01T09:45:00Z', { awsRegion: 'eu-west-1', sourceIPAddress: '198.51.100.7' }),
      call(3, '2026-03-01T14:05:00Z', {
        eventName: 'DeleteSnapshot',
        userAgent: 'Boto3/1.34.0 Python/3.12.1 botocore/1.34.0',
      }),
      call(4, '2026-03-01T15:00:00Z', {
        errorCode: 'AccessDenied',
        errorMessage: 'no',
        eventName: 'ListUsers',
      }),
      call(5, '2026-03-01T16:00:00Z', {
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: 'GetSecretValue',
      }),
      // A failed console sign-in is an event but not activity: its hour is not a usual hour.
      call(6, '2026-03-01T03:00:00Z', {
        eventName: 'ConsoleLogin',
        eventType: 'AwsConsoleSignIn',
        eventSource: 'signin.amazonaws.com',
        responseElements: { ConsoleLogin: 'Failure' },
        errorMessage: 'Failed authentication',
      }),
      call(7, '2026-03-02T10:00:00Z'),
    ]);
    const refresh = await refreshActivityProfile(store.connection);
    expect(refresh.slices).toBe(2);
    const day = (await profileOf('2026-03-01'))[0] ?? {};
    expect(day).toMatchObject({
      source: 'aws',
      identity: 'arn:aws:iam::111122223333:user/mallory',
      account: '111122223333',
      actor_type: 'user',
      events: 6,
      successes: 4,
      active_events: 5,
      last_active_event_id: 'evt-5',
      denied: 1,
      deletions: 1,
      secret_reads: 1,
      sensitive_reads: 1,
    });
    expect(sorted(day.hours)).toEqual([9, 14, 15, 16]);
    expect(sorted(day.regions)).toEqual(['eu-west-1', 'us-east-1']);
    expect(sorted(day.networks)).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
    expect(sorted(day.client_families)).toEqual(['aws-cli', 'boto3']);
    expect(await profileOf('2026-03-02')).toHaveLength(1);
  });

  it('rebuilds only the days later batches touched, late arrivals included, and is idempotent', async () => {
    await ingest(store, [call(1, '2026-03-01T09:00:00Z'), call(2, '2026-03-02T09:00:00Z')]);
    expect((await refreshActivityProfile(store.connection)).slices).toBe(2);
    expect((await refreshActivityProfile(store.connection)).slices).toBe(0);

    // The next night's batch: a new day, plus one event that arrived late for March 1st.
    await ingest(store, [call(3, '2026-03-03T09:00:00Z'), call(4, '2026-03-01T11:00:00Z')]);
    const refresh = await refreshActivityProfile(store.connection);
    expect(refresh.slices).toBe(2);
    const totals = await rows(
      `select strftime(day, '%Y-%m-%d') as day, sum(events)::int as events from activity_days group by day order by day`,
    );
    expect(totals).toEqual([
      { day: '2026-03-01', events: 2 },
      { day: '2026-03-02', events: 1 },
      { day: '2026-03-03', events: 1 },
    ]);
  });

  it('agrees with a rebuild from the events', async () => {
    const records = Array.from({ length: 60 }, (_, i) =>
      call(i, `2026-03-0${1 + (i % 5)}T${String(8 + (i % 9)).padStart(2, '0')}:00:00Z`, {
        userIdentity: {
          type: 'IAMUser',
          arn: `arn:aws:iam::111122223333:user/u${i % 4}`,
          accountId: '111122223333',
          userName: `u${i % 4}`,
        },
        awsRegion: ['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3],
        ...(i % 7 === 0 ? { errorCode: 'AccessDenied', errorMessage: 'denied' } : {}),
      }),
    );
    await ingest(store, records.slice(0, 30));
    await refreshActivityProfile(store.connection);
    await ingest(store, records.slice(30));
    await refreshActivityProfile(store.connection);
    const snapshot = `select * exclude (hours, regions, networks, client_families),
  list_sort(hours) as hours, list_sort(regions) as regions, list_sort(networks) as networks
from activity_days
order by all`;
    const incremental = await rows(snapshot);
    await refreshActivityProfile(store.connection, { full: true });
    expect(await rows(snapshot)).toEqual(incremental);
    expect(incremental.length).toBeGreaterThan(10);
  });

  it('drops the days whose events retention pruned', async () => {
    await ingest(store, [call(1, '2026-03-01T09:00:00Z'), call(2, '2026-03-05T09:00:00Z')]);
    await refreshActivityProfile(store.connection);
    await pruneEvents(store.connection, new Date('2026-03-03T00:00:00Z'));
    const refresh = await refreshActivityProfile(store.connection);
    expect(refresh.pruned).toBe(1);
    expect(await rows(`select strftime(day, '%Y-%m-%d') as day from activity_days`)).toEqual([
      { day: '2026-03-05' },
    ]);
  });
});
