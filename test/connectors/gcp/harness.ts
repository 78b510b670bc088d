import type { DuckDBConnection } from '@duckdb/node-api';
import { type GcpSourceConfig, gcpSourceSchema } from '../../../src/config/sources/gcp.js';
import {
  createGcpConnectors,
  type GcpAuth,
  type GcpConnectorOptions,
} from '../../../src/connectors/gcp/index.js';
import type { ConnectorContext } from '../../../src/connectors/source-connector.js';
import { ingestSources, type StreamSummary } from '../../../src/ingest/ingest-sources.js';
import { startRun } from '../../../src/store/runs.js';
import { FAKE_TOKEN } from '../../fakes/gcp-logging.js';

/** A throwaway credential: what GoogleAuth offers, with a fixed token. */
export function fakeAuth(
  token = FAKE_TOKEN,
  email = 'auditlake-reader@acme-ops.iam.gserviceaccount.com',
): GcpAuth {
  return {
    getRequestHeaders: async () => ({ Authorization: `Bearer ${token}` }),
    getCredentials: async () => ({ client_email: email }),
  };
}

/** Fast retries and the throwaway credential: the production code path otherwise. */
export function testConnectors(options: GcpConnectorOptions = {}) {
  return createGcpConnectors({
    auth: async () => fakeAuth(),
    retry: { attempts: 5, baseMs: 1, maxMs: 5 },
    requestTimeoutMs: 5000,
    ...options,
  });
}

export function source(fields: Record<string, unknown>): GcpSourceConfig {
  return gcpSourceSchema.parse({ requests_per_minute: 6000, ...fields });
}

export interface LogLine {
  event: string;
  fields: Record<string, string | number | boolean | null>;
}

export function context(now: Date, lines: LogLine[] = []): ConnectorContext {
  return { now: () => now, log: (event, fields) => lines.push({ event, fields }) };
}

export async function ingest(
  connection: DuckDBConnection,
  sources: GcpSourceConfig[],
  now: Date,
  options: {
    connectors?: ReturnType<typeof createGcpConnectors>;
    signal?: AbortSignal;
    lines?: LogLine[];
  } = {},
): Promise<StreamSummary[]> {
  const connectors = (options.connectors ?? testConnectors()).connectors(
    sources,
    context(now, options.lines),
  );
  return ingestSources(connection, await startRun(connection, 'test'), connectors, {
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The gcp event ids in the store, sorted, and how many appear more than once. */
export async function storedIds(
  connection: DuckDBConnection,
): Promise<{ ids: string[]; duplicates: number }> {
  const rows = (
    await connection.runAndReadAll("select event_id from events where source = 'gcp' order by event_id")
  ).getRows();
  const dup = (
    await connection.runAndReadAll(
      "select count(*)::int from (select event_id from events where source = 'gcp' group by all having count(*) > 1)",
    )
  ).getRows();
  return { ids: rows.map((r) => String(r[0])), duplicates: Number(dup[0]?.[0]) };
}

export async function checkpoint(connection: DuckDBConnection, stream: string): Promise<unknown> {
  const rows = (
    await connection.runAndReadAll(
      "select cursor::varchar from checkpoints where source = 'gcp' and origin = $1",
      [stream],
    )
  ).getRows();
  return rows[0] ? JSON.parse(String(rows[0][0])) : undefined;
}

/** An ISO timestamp `seconds` after `base`. */
export function at(base: Date, seconds: number): string {
  return new Date(base.getTime() + seconds * 1000).toISOString();
}

export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
