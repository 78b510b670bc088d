import type { AccessToken, TokenCredential } from '@azure/identity';
import { type AzureSourceConfig, azureSourceSchema } from '../../../src/config/sources/azure.js';
import { type AzureConnectorOptions, createAzureConnectors } from '../../../src/connectors/azure/index.js';
import type { ConnectorContext, JsonValue } from '../../../src/connectors/source-connector.js';
import { ingestSources, type StreamSummary } from '../../../src/ingest/ingest-sources.js';
import { openStore, type Store } from '../../../src/store/open-store.js';
import { startRun } from '../../../src/store/runs.js';
import type { FakeLogAnalytics, FakeRow, FakeTable } from '../../fakes/azure-log-analytics.js';

export const WS = '11111111-2222-4333-8444-555555555555';
export const WS2 = '66666666-7777-4888-8999-aaaaaaaaaaaa';
export const TOKEN = 'fake-token-for-tests';
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** A credential as the SDK sees one: anything with getToken(). Counts its calls. */
export function testCredential(token = TOKEN): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    async getToken(): Promise<AccessToken> {
      credential.calls++;
      return { token, expiresOnTimestamp: Date.now() + HOUR };
    },
  };
  return credential;
}

/** Fast options: the quota scaled to 1 s windows, small slices, quick retries. */
export function fastOptions(overrides: Partial<AzureConnectorOptions> = {}): AzureConnectorOptions {
  return {
    credential: testCredential(),
    limits: { queriesPerWindow: 200, windowMs: 1000, concurrency: 5 },
    tuning: {
      // Few slices and commits: a commit costs ~0.2 s of DuckDB normalization whatever its size.
      targets: { rows: 250, chars: 10 * 1024 * 1024 },
      initialSliceMs: 2 * HOUR,
      prefetch: 3,
      batchRecords: 1000,
      retry: { attempts: 4, baseMs: 5, maxMs: 50 },
    },
    ...overrides,
  };
}

export function source(config: Record<string, unknown> = {}): AzureSourceConfig {
  return azureSourceSchema.parse({ workspace_id: WS, start: '1d', ...config });
}

/** A mutable clock shared by the connector and the fake (late rows "arrive" by it). */
export class Clock {
  t: number;
  constructor(iso: string) {
    this.t = Date.parse(iso);
  }
  now = (): number => this.t;
}

export function context(
  clock: Clock,
  lines: { event: string; fields: Record<string, unknown> }[] = [],
): ConnectorContext {
  return { now: () => new Date(clock.t), log: (event, fields) => lines.push({ event, fields }) };
}

const PREFIX: Record<FakeTable, string> = { AzureActivity: 'act', SigninLogs: 'sig', AuditLogs: 'aud' };

/** `count` rows per table spread unevenly (bursts and gaps) over [from, to). */
export function rowsFor(
  workspace: string,
  tables: readonly FakeTable[],
  from: number,
  to: number,
  count: number,
  seed = 1,
): FakeRow[] {
  let s = seed;
  const random = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out: FakeRow[] = [];
  for (const table of tables) {
    for (let i = 0; i < count; i++) {
      // Squaring clusters rows near `from`: dense hours and sparse ones, as real logs have.
      const u = random();
      const time = from + Math.floor(u * u * (to - from));
      const id =
        table === 'AuditLogs'
          ? `Directory_${workspace.slice(0, 8)}_${String(seed * 1_000_000 + i).padStart(8, '0')}`
          : `${PREFIX[table]}-${workspace.slice(0, 8)}-${String(seed * 1_000_000 + i).padStart(8, '0')}`;
      out.push({ workspace, table, time, id });
    }
  }
  return out;
}

/** Event ids a correct connector holds after reading [from, to) of what is visible at `now`. */
export function expectedIds(
  fake: FakeLogAnalytics,
  workspace: string,
  tables: readonly FakeTable[],
  from: number,
  to: number,
  now: number,
): string[] {
  return tables
    .flatMap((t) => fake.all(workspace, t))
    .filter((r) => r.time >= from && r.time < to && (r.arrivesAt === undefined || r.arrivesAt <= now))
    .map((r) => r.id)
    .sort();
}

export async function eventIds(store: Store): Promise<string[]> {
  const rows = (
    await store.connection.runAndReadAll('select event_id from events order by event_id')
  ).getRows();
  return rows.map((r) => String(r[0]));
}

export async function duplicates(store: Store): Promise<number> {
  const r = await store.connection.runAndReadAll(
    'select count(*)::int from (select source, event_id from events group by all having count(*) > 1)',
  );
  return Number(r.getRows()[0]?.[0]);
}

export async function checkpoints(store: Store): Promise<Record<string, JsonValue>> {
  const rows = (
    await store.connection.runAndReadAll(
      "select origin, cursor::varchar from checkpoints where source = 'azure'",
    )
  ).getRows();
  return Object.fromEntries(rows.map(([o, c]) => [String(o), JSON.parse(String(c)) as JsonValue]));
}

/** One `auditlake ingest azure` as the CLI runs it, in process: connectors + driver + store. */
export async function ingest(
  store: Store,
  sources: readonly AzureSourceConfig[],
  ctx: ConnectorContext,
  options: AzureConnectorOptions,
  signal?: AbortSignal,
): Promise<StreamSummary[]> {
  const connectors = createAzureConnectors(options).connectors(sources, ctx);
  const runId = await startRun(store.connection, 'ingest azure');
  return ingestSources(store.connection, runId, connectors, signal ? { signal } : {});
}

export async function memoryStore(): Promise<Store> {
  return openStore({ path: ':memory:' });
}
