import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type ExportOptions, exportEvents, MANIFEST_FILE } from '../../src/export/export-events.js';
import {
  activityDiagnostic,
  activityLogAnalytics,
  auditDiagnostic,
  gcpEntry,
  signInDiagnostic,
} from '../fixtures/analyst-records.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';
import { storeWithRecords } from '../helpers/store-with-records.js';

let dir: string;
let db: string;

const RECORDS = [
  cloudtrailRecord(1),
  cloudtrailRecord(2, { eventName: 'GetObject', eventTime: '2026-11-01T23:59:59Z' }),
  cloudtrailRecord(3, {
    userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
  }),
  gcpEntry('activity-impersonated-delete'),
  gcpEntry('data-access-object-get'),
  activityDiagnostic,
  activityLogAnalytics,
  signInDiagnostic,
  auditDiagnostic,
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-export-'));
  db = join(dir, 'store.duckdb');
  (await storeWithRecords(db, RECORDS)).close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plain DuckDB instance, as whoever receives the evidence reads it. */
async function read(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function storeCount(where = 'true'): Promise<number> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`select count(*)::int from events where ${where}`);
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function run(options: Omit<ExportOptions, 'store'>) {
  return exportEvents({ store: { path: db }, ...options });
}

/** Leftover staging folders beside an output (there should be none). */
function staging(): string[] {
  return readdirSync(dir).filter((name) => name.includes('.export-'));
}

function modes(root: string): { dirs: Set<number>; files: Set<number> } {
  const out = { dirs: new Set<number>(), files: new Set<number>() };
  const walk = (d: string): void => {
    out.dirs.add(statSync(d).mode & 0o777);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.files.add(statSync(join(d, e.name)).mode & 0o777);
    }
  };
  walk(root);
  return out;
}

describe('auditlake export', () => {
  it('writes Parquet partitioned by source and UTC day, owner-only, with a manifest, readable back', async () => {
    const out = join(dir, 'parquet-all');
    const summary = await run({ format: 'parquet', out });
    const total = await storeCount();
    expect(summary.rows).toBe(total);
    expect(readdirSync(out).sort()).toEqual([MANIFEST_FILE, 'source=aws', 'source=azure', 'source=gcp']);
    expect(readdirSync(join(out, 'source=aws')).sort()).toEqual(['date=2026-11-01', 'date=2026-11-02']);
    const [back] = await read(
      `select count(*)::int as n, count(distinct event_id)::int as ids from read_parquet('${out}/**/*.parquet', hive_partitioning = true)`,
    );
    expect(back).toEqual({ n: total, ids: total });
    const perSource = await read(
      `select source, date::varchar as date, count(*)::int as n from read_parquet('${out}/**/*.parquet', hive_partitioning = true) group by all order by all`,
    );
    expect(perSource).toEqual(summary.partitions.map((p) => ({ source: p.source, date: p.date, n: p.rows })));
    expect(perSource.find((p) => p.source === 'aws' && p.date === '2026-11-01')?.n).toBe(1);
    // The record survives as JSON.
    const [raw] = await read(
      `select raw ->> '$.eventName' as name from read_parquet('${out}/**/*.parquet') where event_id = '${String(cloudtrailRecord(2).eventID)}'`,
    );
    expect(raw?.name).toBe('GetObject');
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), 'utf8')) as {
      rows: number;
      files: unknown[];
    };
    expect(manifest.rows).toBe(total);
    expect(manifest.files).toEqual(summary.files);
    expect(modes(out)).toEqual({ dirs: new Set([0o700]), files: new Set([0o600]) });
    expect(staging()).toEqual([]);
  });

  it('writes CSV of what --where and --from/--to select', async () => {
    const out = join(dir, 'aws.csv');
    const summary = await run({
      format: 'csv',
      out,
      where: "source = 'aws' and actor not like '%root'",
      from: new Date('2026-11-02T00:00:00Z'),
      to: new Date('2026-11-03T00:00:00Z'),
    });
    expect(summary.rows).toBe(1);
    expect(summary.rows).toBe(
      await storeCount(
        "source = 'aws' and actor not like '%root' and event_time >= '2026-11-02T00:00:00Z' and event_time < '2026-11-03T00:00:00Z'",
      ),
    );
    const back = await read(`select event_id, source, actor from read_csv('${out}', header = true)`);
    expect(back).toEqual([
      {
        event_id: String(cloudtrailRecord(1).eventID),
        source: 'aws',
        actor: 'arn:aws:iam::111122223333:user/alice',
      },
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('writes NDJSON, one event per line with its record as an object', async () => {
    const out = join(dir, 'azure.ndjson');
    const summary = await run({ format: 'ndjson', out, where: "source = 'azure'" });
    expect(summary.rows).toBe(await storeCount("source = 'azure'"));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(summary.rows);
    const first = JSON.parse(lines[0] ?? '{}') as { source: string; raw: unknown };
    expect(first.source).toBe('azure');
    expect(typeof first.raw).toBe('object');
    // Azure records may spell a key twice in different cases, which read_json's schema detection
    // refuses; read each line as one JSON object instead.
    const [back] = await read(
      `select count(*)::int as n, count(distinct json ->> 'event_id')::int as ids from read_ndjson_objects('${out}')`,
    );
    expect(back).toEqual({ n: summary.rows, ids: summary.rows });
    expect(summary.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a --where that smuggles a statement or reads files, and changes nothing', async () => {
    const before = await storeCount();
    for (const where of [
      '1=1; drop table events',
      'true) ; drop table events; select (1',
      'true) union all select * from events where (true',
      "event_id in (select column0 from read_csv('/etc/passwd'))",
      "true)) to '/tmp/auditlake-smuggled.csv' (format csv); --",
    ]) {
      const out = join(dir, 'smuggled.csv');
      const attempt = run({ format: 'csv', out, where });
      if (where.includes('union all')) {
        // Still one SELECT over events: allowed, and it cannot do more than read.
        await expect(attempt).resolves.toMatchObject({ format: 'csv' });
        rmSync(out);
        continue;
      }
      await expect(attempt, where).rejects.toThrow(UsageError);
      await expect(run({ format: 'csv', out, where }), where).rejects.toThrow(/refused --where/);
      expect(existsSync(out)).toBe(false);
    }
    expect(existsSync('/tmp/auditlake-smuggled.csv')).toBe(false);
    expect(await storeCount()).toBe(before);
    expect(staging()).toEqual([]);
  });

  it('never overwrites evidence unless asked', async () => {
    const file = join(dir, 'existing.csv');
    writeFileSync(file, 'keep me');
    await expect(run({ format: 'csv', out: file })).rejects.toThrow(/exists/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    await run({ format: 'csv', out: file, force: true });
    expect(readFileSync(file, 'utf8')).toMatch(/^event_id,source,format,event_time/);
    const folder = join(dir, 'full');
    await run({ format: 'parquet', out: folder, where: "source = 'gcp'" });
    await expect(run({ format: 'parquet', out: folder })).rejects.toThrow(/not an empty folder/);
  });
});
