import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAzureConnectors } from '../../../src/connectors/azure/index.js';
import { FakeLogAnalytics, type FakeTable } from '../../fakes/azure-log-analytics.js';
import { trustedLoopbackCertificate } from '../../fakes/azure-tls.js';
import {
  Clock,
  checkpoints,
  context,
  duplicates,
  eventIds,
  expectedIds,
  fastOptions,
  HOUR,
  ingest,
  MINUTE,
  memoryStore,
  rowsFor,
  source,
  TOKEN,
  testCredential,
  WS,
  WS2,
} from './helpers.js';

const certificate = trustedLoopbackCertificate();
const TABLES: readonly FakeTable[] = ['AzureActivity', 'SigninLogs', 'AuditLogs'];
const NOW = '2024-05-01T12:00:00.000Z';

describe.skipIf(certificate === null)('azure connector against the loopback Log Analytics', () => {
  let fake: FakeLogAnalytics;
  let clock: Clock;

  const startFake = async (options: { tables?: FakeTable[]; maxRows?: number; quota?: number } = {}) => {
    fake = await new FakeLogAnalytics({
      // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without it
      certificate: certificate!,
      token: TOKEN,
      workspaces: [WS, WS2],
      now: clock.now,
      quota: { perWindow: options.quota ?? 200, windowMs: 1000, concurrency: 5 },
      ...(options.tables ? { tables: options.tables } : {}),
      ...(options.maxRows ? { maxRows: options.maxRows } : {}),
    }).start();
  };

  beforeEach(() => {
    clock = new Clock(NOW);
  });
  afterEach(async () => {
    await fake?.close();
  });

  it('reads every table of [start, now - settle) exactly once; a rerun re-reads only the overlap', async () => {
    await startFake();
    const now = clock.t;
    fake.add(rowsFor(WS, TABLES, now - 30 * HOUR, now, 200));
    const store = await memoryStore();
    try {
      const summaries = await ingest(
        store,
        [source({ endpoint: fake.endpoint })],
        context(clock),
        fastOptions(),
      );
      expect(summaries.map((s) => [s.stream, s.status, s.error])).toEqual(
        TABLES.map((t) => [`log-analytics/${WS}/${t}`, 'ok', null]),
      );
      const expected = expectedIds(fake, WS, TABLES, now - 24 * HOUR, now - 5 * MINUTE, now);
      expect(expected.length).toBeGreaterThan(300);
      expect(await eventIds(store)).toEqual(expected);
      expect(await duplicates(store)).toBe(0);
      const formats = (
        await store.connection.runAndReadAll(
          'select format, count(*)::int from events group by all order by 1',
        )
      ).getRows();
      expect(formats.map((r) => r[0])).toEqual(['azure_activity', 'entra_audit', 'entra_signin']);
      expect(
        (await store.connection.runAndReadAll('select count(*)::int from ingest_errors')).getRows(),
      ).toEqual([[0]]);
      const cps = await checkpoints(store);
      for (const t of TABLES) {
        expect(cps[`log-analytics/${WS}/${t}`]).toMatchObject({
          end: new Date(now - 5 * MINUTE).toISOString(),
        });
      }
      expect(fake.quotaViolations).toBe(0);
      expect(fake.maxConcurrent).toBeLessThanOrEqual(5);

      // Ten minutes later nothing is new: the rerun asks only for the last hour (the overlap) and
      // the five minutes since, and adds nothing.
      const before = fake.log.length;
      clock.t += 10 * MINUTE;
      const again = await ingest(store, [source({ endpoint: fake.endpoint })], context(clock), fastOptions());
      expect(again.map((s) => s.events_new)).toEqual([0, 0, 0]);
      const reread = fake.log.slice(before).filter((l) => l.status === 200);
      expect(Math.min(...reread.map((l) => l.from ?? 0))).toBe(now - 5 * MINUTE - HOUR);
      expect(Math.max(...reread.map((l) => l.to ?? 0))).toBe(clock.t - 5 * MINUTE);
      expect(await duplicates(store)).toBe(0);
    } finally {
      store.close();
    }
  });

  it('splits a slice whose result is partial (too many rows) and still reads every row once', async () => {
    await startFake({ maxRows: 30 });
    const now = clock.t;
    fake.add(rowsFor(WS, ['SigninLogs'], now - 24 * HOUR, now, 180));
    const lines: { event: string; fields: Record<string, unknown> }[] = [];
    const store = await memoryStore();
    try {
      const options = fastOptions();
      const summaries = await ingest(
        store,
        [source({ endpoint: fake.endpoint, tables: ['SigninLogs'] })],
        context(clock, lines),
        {
          ...options,
          tuning: { ...options.tuning, targets: { rows: 5000, chars: 1e9 }, initialSliceMs: 12 * HOUR },
        },
      );
      expect(summaries[0]?.error ?? null).toBeNull();
      expect(lines.filter((l) => l.event === 'azure.slice.split').length).toBeGreaterThan(3);
      expect(fake.log.some((l) => l.rows === 30)).toBe(true);
      expect(await eventIds(store)).toEqual(
        expectedIds(fake, WS, ['SigninLogs'], now - 24 * HOUR, now - 5 * MINUTE, now),
      );
    } finally {
      store.close();
    }
  });

  it('backs off on 429 for Retry-After and retries 5xx, losing nothing', async () => {
    await startFake();
    const now = clock.t;
    fake.add(rowsFor(WS, ['AzureActivity', 'AuditLogs'], now - 24 * HOUR, now, 80));
    let seen = 0;
    fake.faults.push(
      {
        match: () => ++seen === 2,
        times: 1,
        status: 429,
        code: 'TooManyRequests',
        message: 'Too many requests',
        headers: { 'retry-after': '1' },
      },
      {
        match: (q) => q.table === 'AuditLogs',
        times: 2,
        status: 503,
        code: 'ServiceUnavailable',
        message: 'try later',
      },
      {
        match: (q) => q.table === 'AzureActivity' && q.n > 4,
        times: 1,
        status: 500,
        code: 'InternalServerError',
        message: 'boom',
      },
    );
    const lines: { event: string; fields: Record<string, unknown> }[] = [];
    const store = await memoryStore();
    try {
      const summaries = await ingest(
        store,
        [source({ endpoint: fake.endpoint, tables: ['AzureActivity', 'AuditLogs'] })],
        context(clock, lines),
        fastOptions(),
      );
      expect(summaries.map((s) => s.status)).toEqual(['ok', 'ok']);
      expect(fake.faults).toHaveLength(0);
      const throttled = fake.log.find((l) => l.status === 429);
      expect(throttled).toBeDefined();
      // Nothing started during the second the service asked for (queries already on their way
      // when the 429 went out aside).
      const after = fake.log.filter((l) => l.started > (throttled?.started ?? 0) + 50);
      expect(Math.min(...after.map((l) => l.started)) - (throttled?.started ?? 0)).toBeGreaterThanOrEqual(
        950,
      );
      const retries = lines.filter((l) => l.event === 'azure.query.retry').map((l) => l.fields.status);
      expect(retries).toEqual(expect.arrayContaining([429, 503, 500]));
      expect(await eventIds(store)).toEqual(
        expectedIds(fake, WS, ['AzureActivity', 'AuditLogs'], now - 24 * HOUR, now - 5 * MINUTE, now),
      );
    } finally {
      store.close();
    }
  });

  it('picks up rows that arrive late, behind the checkpoint, within the overlap', async () => {
    await startFake();
    const now = clock.t;
    fake.add(rowsFor(WS, ['SigninLogs'], now - 6 * HOUR, now, 200));
    // Rows from just before the checkpoint that only become visible after the first run: 20
    // minutes late (inside settle + overlap), and 3 hours late (beyond it: documented as missed).
    const late = rowsFor(WS, ['SigninLogs'], now - 30 * MINUTE, now - 10 * MINUTE, 20, 7).map((r) => ({
      ...r,
      arrivesAt: now + 20 * MINUTE,
    }));
    const tooLate = rowsFor(WS, ['SigninLogs'], now - 4 * HOUR, now - 3 * HOUR, 5, 9).map((r) => ({
      ...r,
      arrivesAt: now + 3 * HOUR,
    }));
    fake.add([...late, ...tooLate]);
    const store = await memoryStore();
    const config = [source({ endpoint: fake.endpoint, tables: ['SigninLogs'], start: '6h' })];
    try {
      await ingest(store, config, context(clock), fastOptions());
      const first = await eventIds(store);
      expect(first.some((id) => late.some((r) => r.id === id))).toBe(false);
      expect(first).toEqual(expectedIds(fake, WS, ['SigninLogs'], now - 6 * HOUR, now - 5 * MINUTE, now));

      clock.t = now + 30 * MINUTE;
      await ingest(store, config, context(clock), fastOptions());
      clock.t = now + 4 * HOUR;
      await ingest(store, config, context(clock), fastOptions());
      const ids = await eventIds(store);
      expect(late.every((r) => ids.includes(r.id))).toBe(true);
      expect(tooLate.some((r) => ids.includes(r.id))).toBe(false);
      const everything = expectedIds(fake, WS, ['SigninLogs'], now - 6 * HOUR, clock.t - 5 * MINUTE, clock.t);
      expect(ids).toEqual(everything.filter((id) => !tooLate.some((r) => r.id === id)));
      expect(await duplicates(store)).toBe(0);
    } finally {
      store.close();
    }
  });

  it('interrupted at any query and rerun, ends with exactly the events of a clean run', async () => {
    await startFake();
    const now = clock.t;
    fake.add(rowsFor(WS, TABLES, now - 24 * HOUR, now, 100));
    fake.add(rowsFor(WS2, ['SigninLogs'], now - 24 * HOUR, now, 100, 3));
    const config = [
      source({ endpoint: fake.endpoint }),
      source({ endpoint: fake.endpoint, workspace_id: WS2, tables: ['SigninLogs'], name: 'second' }),
    ];
    const expected = [
      ...expectedIds(fake, WS, TABLES, now - 24 * HOUR, now - 5 * MINUTE, now),
      ...expectedIds(fake, WS2, ['SigninLogs'], now - 24 * HOUR, now - 5 * MINUTE, now),
    ].sort();

    const store = await memoryStore();
    try {
      const sizes: number[] = [];
      for (const at of [3, 11, 5]) {
        const controller = new AbortController();
        let queries = 0;
        fake.onQuery = () => {
          if (++queries === at) controller.abort(new Error('interrupted'));
        };
        // Slices committed in several batches: the cursor moves only with a slice's last one.
        const options = fastOptions();
        const small = { ...options, tuning: { ...options.tuning, batchRecords: 40 } };
        const summaries = await ingest(store, config, context(clock), small, controller.signal);
        expect(summaries.some((s) => s.status === 'failed')).toBe(true);
        expect(await duplicates(store)).toBe(0);
        sizes.push((await eventIds(store)).length);
      }
      fake.onQuery = null;
      expect(sizes.at(-1)).toBeLessThan(expected.length);
      expect(new Set(sizes).size).toBeGreaterThan(1);
      const last = await ingest(store, config, context(clock), fastOptions());
      expect(last.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(await eventIds(store)).toEqual(expected);
      expect(await duplicates(store)).toBe(0);
    } finally {
      store.close();
    }
  });

  it('shares one quota among all workspace streams of the identity', async () => {
    await startFake({ quota: 20 });
    const now = clock.t;
    fake.add(rowsFor(WS, TABLES, now - 24 * HOUR, now, 60));
    fake.add(rowsFor(WS2, TABLES, now - 24 * HOUR, now, 60, 5));
    // The connector alone (no store): this is about the queries, and many small slices.
    const options = fastOptions({ limits: { queriesPerWindow: 20, windowMs: 1000, concurrency: 5 } });
    const tuned = {
      ...options,
      tuning: { ...options.tuning, targets: { rows: 10, chars: 1e9 }, initialSliceMs: HOUR },
    };
    const streams = createAzureConnectors(tuned).connectors(
      [source({ endpoint: fake.endpoint }), source({ endpoint: fake.endpoint, workspace_id: WS2 })],
      context(clock),
    );
    const signal = new AbortController().signal;
    const read = await Promise.all(
      streams.map(async (s) => {
        let n = 0;
        for await (const batch of s.pull(undefined, signal)) n += batch.records.length;
        return n;
      }),
    );
    expect(read.reduce((a, b) => a + b, 0)).toBe(
      expectedIds(fake, WS, TABLES, now - 24 * HOUR, now - 5 * MINUTE, now).length +
        expectedIds(fake, WS2, TABLES, now - 24 * HOUR, now - 5 * MINUTE, now).length,
    );
    expect(fake.log.length).toBeGreaterThan(40);
    // The fake counts arrivals, the gate counts departures: on a loaded machine a request's transit
    // can exceed the gate's margin once or twice (and is then retried after Retry-After).
    expect(fake.quotaViolations).toBeLessThanOrEqual(2);
    expect(fake.maxConcurrent).toBeLessThanOrEqual(5);
  });

  describe('failures: one line naming workspace, table and request id; other streams complete', () => {
    const cases: {
      name: string;
      setup: () => void;
      failing: FakeTable;
      kind: string;
      message: RegExp;
      requestId: boolean;
      tables?: FakeTable[];
    }[] = [
      {
        name: 'permission denied (403)',
        setup: () =>
          fake.faults.push({
            match: (q) => q.table === 'SigninLogs',
            status: 403,
            code: 'InsufficientAccessError',
            message: 'The provided credentials have insufficient access to perform the requested operation',
          }),
        failing: 'SigninLogs',
        kind: 'permission',
        message: /SigninLogs: permission denied: 403 InsufficientAccessError: The provided credentials/,
        requestId: true,
      },
      {
        name: 'a table the workspace does not have (400)',
        setup: () => {},
        tables: ['AzureActivity', 'SigninLogs'],
        failing: 'AuditLogs',
        kind: 'not_found',
        message: /AuditLogs: table not found: 400 BadArgumentError: .*Failed to resolve table .*'AuditLogs'/,
        requestId: true,
      },
      {
        name: 'service errors until the retries run out (5xx)',
        setup: () =>
          fake.faults.push({
            match: (q) => q.table === 'AzureActivity',
            status: 502,
            code: 'BadGateway',
            message: 'upstream failed',
          }),
        failing: 'AzureActivity',
        kind: 'server',
        message:
          /AzureActivity \[2024-05-01T06:00:00.000Z, 2024-05-01T11:55:00.000Z\): service error: 502 BadGateway: upstream failed/,
        requestId: true,
      },
      {
        name: 'a malformed answer (200 without tables)',
        setup: () =>
          fake.faults.push({ match: (q) => q.table === 'AuditLogs', status: 200, rawBody: '{"tables": []}' }),
        failing: 'AuditLogs',
        kind: 'malformed',
        message: /AuditLogs \[.*\): malformed result: the result has no tables/,
        requestId: true,
      },
      {
        name: 'a malformed answer (200, not JSON)',
        setup: () =>
          fake.faults.push({
            match: (q) => q.table === 'AuditLogs',
            status: 200,
            rawBody: '<html>gateway</html>',
          }),
        failing: 'AuditLogs',
        kind: 'malformed',
        message: /AuditLogs \[.*\): /,
        requestId: false,
      },
      {
        name: 'a network error (connection dropped every time)',
        setup: () => fake.faults.push({ match: (q) => q.table === 'SigninLogs', status: 0, destroy: true }),
        failing: 'SigninLogs',
        kind: 'network',
        message: /SigninLogs \[.*\): network error: /,
        requestId: false,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await startFake(c.tables ? { tables: c.tables } : {});
        const now = clock.t;
        // One slice per stream (6 hours, one query), so each healthy stream commits once.
        fake.add(rowsFor(WS, TABLES, now - 6 * HOUR, now, 40));
        c.setup();
        const store = await memoryStore();
        try {
          const options = fastOptions();
          const summaries = await ingest(
            store,
            [source({ endpoint: fake.endpoint, start: '6h' })],
            context(clock),
            { ...options, tuning: { ...options.tuning, initialSliceMs: 12 * HOUR } },
          );
          const failed = summaries.filter((s) => s.status === 'failed');
          expect(failed.map((s) => s.stream)).toEqual([`log-analytics/${WS}/${c.failing}`]);
          const line = failed[0]?.error ?? '';
          expect(
            line.startsWith(`azure workspace ${WS} [log-analytics/${WS}/${c.failing}]: ${c.kind}: `),
          ).toBe(true);
          expect(line).toMatch(c.message);
          expect(line.includes('\n')).toBe(false);
          if (c.requestId) expect(line).toMatch(/\(request id fake-req-\d{5}\)$/);
          const others = TABLES.filter((t) => t !== c.failing);
          expect(await eventIds(store)).toEqual(
            expectedIds(fake, WS, others, now - 24 * HOUR, now - 5 * MINUTE, now),
          );
        } finally {
          store.close();
        }
      });
    }

    it('a missing workspace (404), a rejected token (401) and no credential at all', async () => {
      await startFake();
      const store = await memoryStore();
      const missing = '99999999-9999-4999-8999-999999999999';
      try {
        const notFound = await ingest(
          store,
          [
            source({
              endpoint: fake.endpoint,
              workspace_id: missing,
              tables: ['AzureActivity'],
              name: 'gone',
            }),
          ],
          context(clock),
          fastOptions(),
        );
        expect(notFound[0]?.error).toMatch(
          new RegExp(
            `^azure workspace gone \\(${missing}\\) \\[log-analytics/${missing}/AzureActivity\\]: not_found: AzureActivity: workspace not found: 404 WorkspaceNotFoundError: .* \\(request id fake-req-\\d+\\)$`,
          ),
        );
        const rejected = await ingest(
          store,
          [source({ endpoint: fake.endpoint, tables: ['SigninLogs'] })],
          context(clock),
          fastOptions({ credential: testCredential('expired-token') }),
        );
        expect(rejected[0]?.error).toMatch(
          /\]: auth: SigninLogs: authentication failed: 401 AuthorizationRequiredError: Valid authentication was not provided \(request id fake-req-\d+\)$/,
        );
        const unavailable = {
          async getToken(): Promise<never> {
            const error = new Error(
              'EnvironmentCredential is unavailable. No underlying credential could be used.',
            );
            error.name = 'CredentialUnavailableError';
            throw error;
          },
        };
        const none = await ingest(
          store,
          [source({ endpoint: fake.endpoint, tables: ['AuditLogs'] })],
          context(clock),
          fastOptions({ credential: unavailable }),
        );
        expect(none[0]?.error).toMatch(
          /\]: auth: AuditLogs: no credential: EnvironmentCredential is unavailable/,
        );
      } finally {
        store.close();
      }
    });
  });

  it('doctor checks the credential and each table without ingesting', async () => {
    await startFake({ tables: ['AzureActivity', 'SigninLogs'] });
    fake.add(rowsFor(WS, TABLES, clock.t - HOUR, clock.t, 5));
    const missing = '99999999-9999-4999-8999-999999999999';
    const checks = await createAzureConnectors(fastOptions()).doctor(
      [
        source({ endpoint: fake.endpoint }),
        source({ endpoint: fake.endpoint, workspace_id: missing, tables: ['AzureActivity'] }),
      ],
      context(clock),
    );
    expect(checks.map((c) => [c.scope, c.check, c.ok])).toEqual([
      [`workspace ${WS}`, 'credential', true],
      [`workspace ${WS}`, 'query AzureActivity', true],
      [`workspace ${WS}`, 'query SigninLogs', true],
      [`workspace ${WS}`, 'query AuditLogs', false],
      [`workspace ${missing}`, 'credential', true],
      [`workspace ${missing}`, 'query AzureActivity', false],
    ]);
    expect(checks[3]?.detail).toMatch(/table not found: .*\(request id fake-req-\d+\); /);
    expect(checks[5]?.detail).toMatch(/workspace not found: 404 WorkspaceNotFoundError/);
    expect(checks.map((c) => c.detail).join(' ')).not.toContain(TOKEN);
    expect(fake.log.map((l) => l.query)).toEqual([
      'AzureActivity | take 1',
      'SigninLogs | take 1',
      'AuditLogs | take 1',
      'AzureActivity | take 1',
    ]);

    const denied = await createAzureConnectors(fastOptions({ credential: testCredential('wrong') })).doctor(
      [source({ endpoint: fake.endpoint, tables: ['AzureActivity'] })],
      context(clock),
    );
    expect(denied.map((c) => [c.check, c.ok])).toEqual([
      ['credential', true],
      ['query AzureActivity', false],
    ]);
    expect(denied[1]?.detail).toMatch(/authentication failed: 401/);
  });
});
