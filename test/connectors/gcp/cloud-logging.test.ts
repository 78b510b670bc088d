import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLogNames } from '../../../src/connectors/gcp/audit-filter.js';
import { openStore, type Store } from '../../../src/store/open-store.js';
import { auditEntry, FakeCloudLogging, parseFilter } from '../../fakes/gcp-logging.js';
import {
  at,
  checkpoint,
  ingest,
  type LogLine,
  sorted,
  source,
  storedIds,
  testConnectors,
} from './harness.js';

/** A gcp source pointed at the fake. */
const cfg = (fields: Record<string, unknown>) => source({ endpoint: fake.url, ...fields });

const NOW = new Date('2026-03-01T12:00:00Z');
const START = '2026-03-01T00:00:00Z';
const DEFAULT_KINDS = ['activity', 'system_event', 'policy'] as const;

let fake: FakeCloudLogging;
let store: Store;

beforeEach(async () => {
  fake = await FakeCloudLogging.start();
  store = await openStore({ path: ':memory:' });
});

afterEach(async () => {
  store.close();
  await fake.close();
});

/** `count` entries of each kind, spread over the hours after START, in a scrambled insert order. */
type Kind = 'activity' | 'system_event' | 'policy' | 'data_access';

function seed(
  resource: string,
  count: number,
  kinds: readonly Kind[] = ['activity', 'system_event', 'policy', 'data_access'],
) {
  const entries = [];
  for (const kind of kinds) {
    for (let i = 0; i < count; i++) {
      // Every 7th pair shares a timestamp: pages must not split such runs in a way that loses one.
      const second = 60 + Math.floor((i * 37_000) / count) + (i % 7 === 0 ? 0 : kinds.indexOf(kind));
      entries.push(auditEntry(resource, kind, i, at(new Date(START), second)));
    }
  }
  fake.addEntries(resource, entries);
}

function expectedIds(resource: string, kinds: readonly Kind[] = DEFAULT_KINDS): string[] {
  return fake.insertIds(resource, auditLogNames(resource, kinds));
}

describe('the Cloud Logging connector against the fake', () => {
  it('reads every page of every project, in order, within explicit bounds, only the configured audit logs', async () => {
    seed('projects/alpha', 250);
    seed('projects/beta', 60);
    // A run of other logs beta's filter skips: a page of it comes back empty, with a token.
    fake.addEntries(
      'projects/beta',
      Array.from({ length: 150 }, (_, i) => ({
        ...auditEntry('projects/beta', 'activity', 5000 + i, at(new Date(START), 20 + i / 10)),
        logName: 'projects/beta/logs/syslog',
      })),
    );
    // Outside the window: before `start`, newer than now - settle, and not an audit log.
    const outside = [
      auditEntry('projects/alpha', 'activity', 9001, '2026-02-28T23:59:59.999999Z'),
      auditEntry('projects/alpha', 'activity', 9002, at(NOW, -10)),
      auditEntry('projects/alpha', 'activity', 9003, at(NOW, 3600)),
      {
        ...auditEntry('projects/alpha', 'activity', 9004, at(NOW, -3600)),
        logName: 'projects/alpha/logs/syslog',
      },
    ];
    fake.addEntries('projects/alpha', outside);
    // Nanosecond timestamps at the window's edge are read, not rounded away.
    fake.addEntries('projects/alpha', [
      auditEntry('projects/alpha', 'policy', 9005, '2026-03-01T00:00:00.000000001Z'),
    ]);
    // Cloud Logging may answer short or empty pages with a token: beta's pages are cut short.
    fake.maxScanPerPage = 100;

    const lines: LogLine[] = [];
    const summaries = await ingest(
      store.connection,
      [cfg({ projects: ['alpha', 'beta'], start: START, page_size: 300 })],
      NOW,
      { lines },
    );
    expect(summaries.map((s) => [s.stream, s.status, s.error])).toEqual([
      ['cloud-logging/projects/alpha/activity+policy+system_event', 'ok', null],
      ['cloud-logging/projects/beta/activity+policy+system_event', 'ok', null],
    ]);
    const expected = sorted([
      ...expectedIds('projects/alpha').filter((id) => !/-900[1-4]$/.test(id)),
      ...expectedIds('projects/beta').filter((id) => !/-5\d{3}$/.test(id)),
    ]);
    expect(expected).toHaveLength(3 * 250 + 1 + 3 * 60);
    const stored = await storedIds(store.connection);
    expect(stored).toEqual({ ids: expected, duplicates: 0 });
    expect(summaries.reduce((n, s) => n + s.events_new, 0)).toBe(expected.length);

    // Every request: one resource, both timestamp bounds, the configured logs, ascending, 200 a page.
    for (const r of fake.requests) {
      expect(r.orderBy).toBe('timestamp asc');
      expect(r.pageSize).toBe(300);
      const f = parseFilter(r.filter);
      expect(f.lower).toEqual({ key: '2026-03-01T00:00:00.000000000Z', inclusive: true });
      expect(f.upper).toEqual({ key: '2026-03-01T11:59:30.000000000Z', inclusive: false });
      expect(sorted(f.logNames ?? [])).toEqual(auditLogNames(r.resource, [...DEFAULT_KINDS]));
      expect(r.authorization).toBe('Bearer fake-access-token');
    }
    // Pages were followed through their tokens, empty ones included.
    const beta = fake.requests.filter((r) => r.resource === 'projects/beta');
    expect(beta.length).toBeGreaterThan(3);
    expect(beta[0]?.entries).toBe(0);
    expect(beta[1]?.pageToken).toEqual(expect.any(String));

    // raw is the LogEntry as the API sent it.
    const raw = (
      await store.connection.runAndReadAll(
        "select raw::varchar, account, service, action from events where event_id = 'ac-projectsalpha-3'",
      )
    ).getRows()[0];
    const sent = auditEntry('projects/alpha', 'activity', 3, String(JSON.parse(String(raw?.[0])).timestamp));
    expect(JSON.parse(String(raw?.[0]))).toEqual(sent);
    expect(raw?.slice(1)).toEqual(['alpha', 'compute.googleapis.com', 'v1.compute.instances.insert']);

    // The checkpoint: the window's end and when it was read.
    expect(
      await checkpoint(store.connection, 'cloud-logging/projects/alpha/activity+policy+system_event'),
    ).toEqual({
      v: 1,
      through: '2026-03-01T11:59:30.000Z',
      read_at: '2026-03-01T12:00:00.000Z',
    });
    expect(lines.filter((l) => l.event === 'gcp.done').map((l) => l.fields.entries)).toEqual(
      expect.arrayContaining([751, 180]),
    );
    // Structured logs never carry a token.
    expect(JSON.stringify(lines)).not.toContain('fake-access-token');
  });

  it('backs off on 429 RESOURCE_EXHAUSTED, 5xx and dropped connections, honouring Retry-After', async () => {
    seed('projects/alpha', 300, ['activity']);
    fake.inject(
      'projects/alpha',
      { kind: 'status', status: 429, grpc: 'RESOURCE_EXHAUSTED', retryAfter: '0.05' },
      { times: 2, afterRequests: 1 },
    );
    fake.inject('projects/alpha', { kind: 'status', status: 503, grpc: 'UNAVAILABLE' }, { afterRequests: 1 });
    fake.inject('projects/alpha', { kind: 'status', status: 500, grpc: 'INTERNAL' });
    fake.inject('projects/alpha', { kind: 'reset' }, { afterRequests: 1 });
    const lines: LogLine[] = [];
    const started = performance.now();
    const [summary] = await ingest(
      store.connection,
      [cfg({ projects: ['alpha'], start: START, page_size: 50, log_kinds: ['activity'] })],
      NOW,
      { lines },
    );
    expect(summary).toMatchObject({ status: 'ok', events_new: 300, error: null });
    expect((await storedIds(store.connection)).ids).toEqual(
      sorted(expectedIds('projects/alpha', ['activity'])),
    );
    const retries = lines.filter((l) => l.event === 'gcp.retry').map((l) => l.fields.kind);
    expect(retries).toEqual(['throttled', 'throttled', 'server', 'server', 'network']);
    // Both 429s were answered with Retry-After: 0.05 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 429, 429, 200, 503, 500, 200, 0, 200, 200, 200]);
  });

  it('fails one stream with a clear line (permission, missing project, auth) while the others complete', async () => {
    seed('projects/alpha', 120, ['activity']);
    seed('projects/beta', 10, ['activity']);
    fake.inject('projects/beta', {
      kind: 'status',
      status: 403,
      grpc: 'PERMISSION_DENIED',
      message: "Permission 'logging.privateLogEntries.list' denied on resource (or it may not exist).",
      requestId: 'req-7f3a',
    });
    const summaries = await ingest(
      store.connection,
      [
        cfg({
          projects: ['alpha', 'beta', 'ghost'],
          start: START,
          page_size: 50,
          log_kinds: ['activity', 'data_access'],
        }),
      ],
      NOW,
    );
    const byScope = Object.fromEntries(summaries.map((s) => [s.scope, s]));
    expect(byScope['projects/alpha']).toMatchObject({ status: 'ok', events_new: 120 });
    expect(byScope['projects/beta']?.error).toBe(
      "gcp projects/beta [cloud-logging/projects/beta/activity+data_access]: permission: entries.list on projects/beta was refused: 403 PERMISSION_DENIED: Permission 'logging.privateLogEntries.list' denied on resource (or it may not exist). (request id req-7f3a)",
    );
    expect(byScope['projects/ghost']?.error).toBe(
      'gcp projects/ghost [cloud-logging/projects/ghost/activity+data_access]: not_found: entries.list on projects/ghost was refused: 404 NOT_FOUND: Resource projects/ghost not found. (no request id in the response)',
    );
    expect((await storedIds(store.connection)).ids).toEqual(
      sorted(expectedIds('projects/alpha', ['activity'])),
    );
    const errors = (
      await store.connection.runAndReadAll('select origin from ingest_errors order by origin')
    ).getRows();
    expect(errors.map((r) => r[0])).toEqual([
      'cloud-logging/projects/beta/activity+data_access',
      'cloud-logging/projects/ghost/activity+data_access',
    ]);
  });

  it('names the credential problem: a rejected token (401) and no credentials at all', async () => {
    seed('projects/alpha', 5, ['activity']);
    const rejected = await ingest(store.connection, [cfg({ projects: ['alpha'], start: START })], NOW, {
      connectors: testConnectors({
        auth: async () => ({ getRequestHeaders: async () => ({ Authorization: 'Bearer expired' }) }),
      }),
    });
    expect(rejected[0]?.error).toMatch(
      /^gcp projects\/alpha \[[^\]]+\]: auth: entries.list on projects\/alpha was refused: 401 UNAUTHENTICATED: Request had invalid authentication credentials\..* \(no request id in the response\)$/,
    );
    const none = await ingest(store.connection, [cfg({ projects: ['alpha'], start: START })], NOW, {
      connectors: testConnectors({
        auth: async () => ({
          getRequestHeaders: async () => {
            throw new Error(
              'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
            );
          },
        }),
      }),
    });
    expect(none[0]?.error).toContain(
      'auth: could not get an access token for projects/alpha from the standard credential chain: Could not load the default credentials.',
    );
    // Nothing reached the API without a token.
    expect(fake.requests.every((r) => r.authorization === 'Bearer expired')).toBe(true);
    expect((await storedIds(store.connection)).ids).toEqual([]);
  });

  it('keeps the pages before a malformed page or exhausted retries; the rerun completes exactly', async () => {
    seed('projects/alpha', 500, ['activity']);
    seed('projects/beta', 500, ['activity']);
    fake.inject(
      'projects/alpha',
      { kind: 'malformed', body: '{"entries": [{"insertId": "x"' },
      { afterRequests: 2 },
    );
    fake.inject(
      'projects/beta',
      { kind: 'status', status: 502, grpc: 'UNAVAILABLE' },
      { afterRequests: 3, times: 5 },
    );
    const sources = [
      cfg({ projects: ['alpha', 'beta'], start: START, page_size: 100, log_kinds: ['activity'] }),
    ];
    const first = await ingest(store.connection, sources, NOW);
    expect(first.map((s) => [s.scope, s.status, s.records])).toEqual([
      ['projects/alpha', 'failed', 200],
      ['projects/beta', 'failed', 300],
    ]);
    expect(first[0]?.error).toContain(
      'malformed: entries.list on projects/alpha returned a malformed page: not JSON',
    );
    expect(first[1]?.error).toContain('server: entries.list on projects/beta was refused: 502 UNAVAILABLE');
    expect(first[1]?.error).toContain('(gave up after 5 attempts)');
    expect((await storedIds(store.connection)).ids).toHaveLength(500);

    const second = await ingest(store.connection, sources, NOW);
    expect(second.map((s) => s.status)).toEqual(['ok', 'ok']);
    const all = sorted([
      ...expectedIds('projects/alpha', ['activity']),
      ...expectedIds('projects/beta', ['activity']),
    ]);
    expect(await storedIds(store.connection)).toEqual({ ids: all, duplicates: 0 });
  });

  it('aborted mid-run, then rerun: exactly the events of a clean run, nothing twice', async () => {
    for (const p of ['alpha', 'beta']) seed(`projects/${p}`, 200);
    const sources = [
      cfg({ projects: ['alpha', 'beta'], start: START, page_size: 100, log_kinds: ['activity', 'policy'] }),
    ];

    const clean = await openStore({ path: ':memory:' });
    let expected: string[];
    try {
      await ingest(clean.connection, sources, NOW);
      expected = (await storedIds(clean.connection)).ids;
    } finally {
      clean.close();
    }
    expect(expected).toHaveLength(2 * 2 * 200);

    // Stop at a different request each time, resuming from what the runs before committed.
    const seen: number[] = [];
    for (const stopAt of [4, 7]) {
      const controller = new AbortController();
      const base = fake.requests.length;
      fake.onList = () => {
        if (fake.requests.length - base >= stopAt) controller.abort(new Error('interrupted'));
      };
      const run = await ingest(store.connection, sources, NOW, { signal: controller.signal });
      expect(run.some((s) => s.status === 'failed')).toBe(true);
      const partial = await storedIds(store.connection);
      expect(partial.duplicates).toBe(0);
      seen.push(partial.ids.length);
    }
    fake.onList = undefined;
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(expected.length);
    expect(new Set(seen).size).toBe(2);
    const last = await ingest(store.connection, sources, NOW);
    expect(last.map((s) => s.status)).toEqual(['ok', 'ok']);
    expect(await storedIds(store.connection)).toEqual({ ids: expected, duplicates: 0 });
  });

  it('picks up entries that arrive late behind the checkpoint, within the overlap, without duplicates', async () => {
    seed('projects/alpha', 200, ['activity']);
    // Entries in the last ten minutes before the first window's end.
    fake.addEntries(
      'projects/alpha',
      Array.from({ length: 30 }, (_, i) =>
        auditEntry('projects/alpha', 'activity', 500 + i, at(NOW, -600 + i * 10)),
      ),
    );
    const sources = [cfg({ projects: ['alpha'], start: START, page_size: 100, log_kinds: ['activity'] })];
    const first = await ingest(store.connection, sources, NOW);
    expect(first[0]).toMatchObject({ status: 'ok', events_new: 230 });

    // Arriving after the first run: late entries 5 minutes and 25 minutes behind its window's end,
    // and entries of the minutes since.
    const late = fake.addEntries('projects/alpha', [
      auditEntry('projects/alpha', 'activity', 900, at(NOW, -330)),
      auditEntry('projects/alpha', 'activity', 901, at(NOW, -31)),
    ]);
    fake.addEntries('projects/alpha', [auditEntry('projects/alpha', 'activity', 902, at(NOW, -1530))]);
    const fresh = fake.addEntries(
      'projects/alpha',
      Array.from({ length: 20 }, (_, i) =>
        auditEntry('projects/alpha', 'activity', 600 + i, at(NOW, i * 10)),
      ),
    );
    const base = fake.requests.length;
    const later = new Date(NOW.getTime() + 5 * 60_000);
    const second = await ingest(store.connection, sources, later);
    // The second window starts ten minutes (the overlap) before the first run read.
    const f = parseFilter(fake.requests[base]?.filter ?? '');
    expect(f.lower.key).toBe('2026-03-01T11:50:00.000000000Z');
    expect(f.upper.key).toBe('2026-03-01T12:04:30.000000000Z');
    // The 30 entries of the overlap were read again and dropped as duplicates.
    expect(second[0]).toMatchObject({ status: 'ok', events_new: 2 + 20, events_duplicate: 30 });
    const stored = await storedIds(store.connection);
    expect(stored.duplicates).toBe(0);
    expect(stored.ids).toEqual(expect.arrayContaining([...late, ...fresh]));
    // Later than the overlap allows: documented as not picked up (see docs/connectors/gcp.md).
    expect(stored.ids).not.toContain('ac-projectsalpha-902');
    expect(stored.ids).toHaveLength(252);
  });

  it('misses no entry whose delay is within the overlap, whenever the runs happen (simulated clock)', async () => {
    // A small deterministic PRNG: the same scenarios every time.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const t0 = NOW.getTime();
    const overlapMs = 10 * 60_000;
    for (let scenario = 0; scenario < 2; scenario++) {
      const resource = `projects/sim-${scenario}`;
      const arrival = new Map<string, number>();
      const entries = Array.from({ length: 100 }, (_, i) => {
        const ts = t0 + Math.floor(random() * 3_600_000);
        // Delays up to the overlap, to the millisecond; a few arrive at once.
        const lag = i % 5 === 0 ? 0 : Math.floor(random() * (overlapMs - 1));
        const entry = auditEntry(resource, 'activity', i, new Date(ts).toISOString());
        arrival.set(String(entry.insertId), ts + lag);
        return entry;
      });
      fake.addEntries(resource, entries, (e) => arrival.get(String(e.insertId)) as number);
      const sources = [
        cfg({
          projects: [resource.slice('projects/'.length)],
          start: NOW.toISOString(),
          page_size: 100,
          log_kinds: ['activity'],
        }),
      ];
      // Runs at irregular times, each reading what had arrived by then.
      let now = t0 + 60_000;
      while (now < t0 + 3_600_000 + overlapMs) {
        const at = now;
        fake.clock = () => at;
        const [summary] = await ingest(store.connection, sources, new Date(at));
        expect(summary?.status).toBe('ok');
        now += 60_000 + Math.floor(random() * 20 * 60_000);
      }
      // A last run once everything has arrived.
      fake.clock = () => t0 + 10 * 3_600_000;
      await ingest(store.connection, sources, new Date(t0 + 10 * 3_600_000));
      fake.clock = () => Date.now();
      const stored = await storedIds(store.connection);
      expect(stored.duplicates).toBe(0);
      expect(stored.ids.filter((id) => id.includes(`sim${scenario}-`))).toEqual(sorted(arrival.keys()));
    }
  });

  it('reads folders and organizations with their own resource names and log names', async () => {
    const kinds = ['activity', 'data_access'] as const;
    seed('folders/123456', 40, kinds);
    seed('organizations/987654', 40, ['activity', 'policy', 'data_access']);
    const summaries = await ingest(
      store.connection,
      [cfg({ folders: ['123456'], organizations: ['987654'], start: START, log_kinds: [...kinds] })],
      NOW,
    );
    expect(summaries.map((s) => [s.stream, s.status])).toEqual([
      ['cloud-logging/folders/123456/activity+data_access', 'ok'],
      ['cloud-logging/organizations/987654/activity+data_access', 'ok'],
    ]);
    expect(fake.requests.map((r) => r.resource)).toEqual(['folders/123456', 'organizations/987654']);
    expect(fake.requests[0]?.filter).toContain(
      '(logName="folders/123456/logs/cloudaudit.googleapis.com%2Factivity" OR logName="folders/123456/logs/cloudaudit.googleapis.com%2Fdata_access")',
    );
    expect((await storedIds(store.connection)).ids).toEqual(
      sorted([...expectedIds('folders/123456', kinds), ...expectedIds('organizations/987654', kinds)]),
    );
    const accounts = (
      await store.connection.runAndReadAll('select distinct account from events order by 1')
    ).getRows();
    expect(accounts.map((r) => r[0])).toEqual(['folders/123456', 'organizations/987654']);
  });

  it('keeps each project within its own request quota, projects in parallel', async () => {
    seed('projects/alpha', 250, ['activity']);
    seed('projects/beta', 250, ['activity']);
    // 5 requests a second per project (300 a minute), with a bucket of 2 for network jitter.
    fake.enforceQuota({ requests: 5, windowMs: 1000, burst: 2 });
    const started = performance.now();
    const summaries = await ingest(
      store.connection,
      [
        cfg({
          projects: ['alpha', 'beta'],
          start: START,
          page_size: 50,
          log_kinds: ['activity'],
          requests_per_minute: 300,
        }),
      ],
      NOW,
    );
    expect(summaries.map((s) => [s.status, s.pages])).toEqual([
      ['ok', 5],
      ['ok', 5],
    ]);
    expect(fake.throttled).toBe(0);
    // 5 requests a project at 5 a second: at least 0.8 s between the first and the last.
    expect(performance.now() - started).toBeGreaterThanOrEqual(800);
    const times = (p: string) => fake.requests.filter((r) => r.resource === p).map((r) => r.at);
    // The limiter spaces a project's requests 200 ms apart (arrival jitter aside).
    for (const p of ['projects/alpha', 'projects/beta']) {
      const t = times(p);
      expect((t.at(-1) as number) - (t[0] as number)).toBeGreaterThan(700);
    }
    // Each project has its own limiter: beta did not wait for alpha to finish.
    expect(times('projects/beta')[0]).toBeLessThan(times('projects/alpha').at(-1) as number);
  });

  it('refuses a checkpoint that is not its own rather than guessing where to resume', async () => {
    seed('projects/alpha', 5, ['activity']);
    const stream = 'cloud-logging/projects/alpha/activity+policy+system_event';
    await store.connection.run(
      "insert into checkpoints (source, origin, cursor, updated_at) values ('gcp', $1, '{\"page\": 3}', now())",
      [stream],
    );
    const [summary] = await ingest(store.connection, [cfg({ projects: ['alpha'], start: START })], NOW);
    expect(summary?.error).toContain('config: the checkpoint {"page":3} is not a Cloud Logging cursor');
    expect(fake.requests).toHaveLength(0);
  });
});
