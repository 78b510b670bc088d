import { gzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { awsSourceSchema } from '../../../src/config/sources/aws.js';
import { awsConnectors } from '../../../src/connectors/aws/index.js';
import type { ConnectorContext } from '../../../src/connectors/source-connector.js';
import { ingestSources, type StreamSummary } from '../../../src/ingest/ingest-sources.js';
import { startRun } from '../../../src/store/runs.js';
import type { FakeEvent } from '../../fakes/aws-cloudtrail-fake.js';
import { cloudtrailRecord } from '../../helpers/cloudtrail-records.js';

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';

/** Throwaway keys the fakes map to accounts; set in the environment the way an operator would. */
export const KEYS = { a: 'AKIAFAKEACCOUNTA0001', b: 'AKIAFAKEACCOUNTB0002' };
process.env.AUDITLAKE_TEST_KEY_A = KEYS.a;
process.env.AUDITLAKE_TEST_KEY_B = KEYS.b;
process.env.AUDITLAKE_TEST_SECRET = 'fake-secret-not-a-secret';
process.env.AWS_ACCESS_KEY_ID = KEYS.a;
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-not-a-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export function accountKeys(id: string, key: 'A' | 'B') {
  return {
    id,
    access_key_id_env: `AUDITLAKE_TEST_KEY_${key}`,
    secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
  };
}

/** Fast retries: the tests check the behaviour, not the waiting. */
export const FAST_RETRY = { attempts: 4, base_ms: 5, max_ms: 20 };

export function eventId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A CloudTrail record numbered `n` at `time` in an account and region. */
export function record(n: number, time: number, account: string, region: string): Record<string, unknown> {
  return cloudtrailRecord(n, {
    eventTime: new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    awsRegion: region,
    recipientAccountId: account,
  });
}

/** Events for the CloudTrail fake: numbers `from`..`from+count-1`, one every `stepMs` back from `newest`. */
export function fakeEvents(
  from: number,
  count: number,
  newest: number,
  stepMs: number,
  account: string,
  region: string,
): FakeEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const time = Math.floor((newest - i * stepMs) / 1000) * 1000;
    return {
      id: eventId(n),
      time,
      name: 'DescribeInstances',
      record: JSON.stringify(record(n, time, account, region)),
    };
  });
}

export function trailObject(records: readonly Record<string, unknown>[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

export interface TestContext extends ConnectorContext {
  lines: { event: string; fields: Record<string, unknown> }[];
  setNow(t: number): void;
}

export function testContext(now: number): TestContext {
  let current = now;
  const lines: TestContext['lines'] = [];
  return {
    now: () => new Date(current),
    log: (event, fields) => lines.push({ event, fields }),
    lines,
    setNow: (t) => {
      current = t;
    },
  };
}

/** One run of the driver over the aws sources given as config objects. */
export async function ingestAws(
  connection: DuckDBConnection,
  sources: readonly Record<string, unknown>[],
  context: ConnectorContext,
  options: { signal?: AbortSignal; onBatch?: () => void } = {},
): Promise<StreamSummary[]> {
  const parsed = sources.map((s) => awsSourceSchema.parse(s));
  const connectors = awsConnectors.connectors(parsed, context);
  return ingestSources(connection, await startRun(connection, 'ingest aws'), connectors, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: () => options.onBatch?.(),
  });
}

export async function eventIds(connection: DuckDBConnection): Promise<string[]> {
  const rows = (await connection.runAndReadAll('select event_id from events order by event_id')).getRows();
  return rows.map((r) => String(r[0]));
}

export async function duplicateCount(connection: DuckDBConnection): Promise<number> {
  const rows = (
    await connection.runAndReadAll(
      'select count(*)::int from (select source, event_id from events group by all having count(*) > 1)',
    )
  ).getRows();
  return Number(rows[0]?.[0]);
}

export async function checkpoint(connection: DuckDBConnection, stream: string): Promise<unknown> {
  const rows = (
    await connection.runAndReadAll(`select cursor::varchar from checkpoints where origin = '${stream}'`)
  ).getRows();
  return rows[0] ? JSON.parse(String(rows[0][0])) : undefined;
}
