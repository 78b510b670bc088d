import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { type CloudTrailFake, startCloudTrailFake } from '../../fakes/aws-cloudtrail-fake.js';
import { type S3Fake, startS3Fake } from '../../fakes/aws-s3-fake.js';
import { ACCOUNT_A, ACCOUNT_B, fakeEvents, KEYS, record, trailObject } from './helpers.js';

const MINUTE = 60_000;
let dir: string;
let ct: CloudTrailFake;
let s3: S3Fake;
let config: string;
const EXPECTED = 4 * 130 + 2 * 6 * 25;

function runCli(
  db: string,
  crashAt?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const env = { ...process.env, AUDITLAKE_CRASH_AT: crashAt ?? '' };
  return new Promise((resolve) => {
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        '--db',
        db,
        'ingest',
        'aws',
        '--config',
        config,
        '--quiet',
        '--format',
        'json',
      ],
      {
        stdio: 'ignore',
        env,
      },
    ).on('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function idsIn(db: string): Promise<{ ids: string[]; duplicates: number }> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    const ids = (
      await store.connection.runAndReadAll('select event_id from events order by event_id')
    ).getRows();
    const dup = await store.connection.runAndReadAll(
      'select count(*)::int from (select source, event_id from events group by all having count(*) > 1)',
    );
    return { ids: ids.map((r) => String(r[0])), duplicates: Number(dup.getRows()[0]?.[0]) };
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-aws-crash-'));
  const now = Date.now();
  ct = await startCloudTrailFake({ accounts: { [KEYS.a]: ACCOUNT_A, [KEYS.b]: ACCOUNT_B }, pageSize: 25 });
  for (const [account, region, from] of [
    [ACCOUNT_A, 'us-east-1', 10_000],
    [ACCOUNT_A, 'eu-west-1', 20_000],
    [ACCOUNT_B, 'us-east-1', 30_000],
    [ACCOUNT_B, 'eu-west-1', 40_000],
  ] as const) {
    ct.add(account, region, fakeEvents(from, 130, now - 2 * MINUTE, 20_000, account, region));
  }
  s3 = await startS3Fake({ pageSize: 4 });
  s3.createBucket('trail-bucket');
  // Files of the last 6 hours, one an hour, in two account/regions.
  for (const [account, region, from] of [
    [ACCOUNT_A, 'ap-south-1', 60_000],
    [ACCOUNT_B, 'us-east-1', 70_000],
  ] as const) {
    for (let h = 1; h <= 6; h++) {
      const t = now - h * 60 * MINUTE;
      const iso = new Date(t).toISOString();
      const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
      const key = `AWSLogs/${account}/CloudTrail/${region}/${iso.slice(0, 10).replaceAll('-', '/')}/${account}_CloudTrail_${region}_${stamp}_h${h}.json.gz`;
      const records = Array.from({ length: 25 }, (_, i) =>
        record(from + h * 100 + i, t - i * 1000, account, region),
      );
      s3.put('trail-bucket', key, trailObject(records));
    }
  }
  config = join(dir, 'auditlake.yaml');
  writeFileSync(
    config,
    [
      'sources:',
      '  aws:',
      '    - mode: api',
      '      accounts:',
      `        - { id: '${ACCOUNT_A}', access_key_id_env: AUDITLAKE_TEST_KEY_A, secret_access_key_env: AUDITLAKE_TEST_SECRET }`,
      `        - { id: '${ACCOUNT_B}', access_key_id_env: AUDITLAKE_TEST_KEY_B, secret_access_key_env: AUDITLAKE_TEST_SECRET }`,
      '      regions: [us-east-1, eu-west-1]',
      '      start: 2d',
      '      requests_per_second: 100',
      '      retry: { attempts: 3, base_ms: 5, max_ms: 20 }',
      `      endpoint: ${ct.url}`,
      '    - mode: s3',
      '      bucket: trail-bucket',
      '      start: 2d',
      '      retry: { attempts: 3, base_ms: 5, max_ms: 20 }',
      `      endpoint: ${s3.url}`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await ct?.close();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('auditlake ingest aws killed with SIGKILL and rerun', () => {
  it('ends with exactly the events of a clean run, from both the API and the bucket', async () => {
    const clean = join(dir, 'clean.duckdb');
    expect(await runCli(clean)).toEqual({ code: 0, signal: null });
    const expected = await idsIn(clean);
    expect(expected.ids).toHaveLength(EXPECTED);

    const crashed = join(dir, 'crashed.duckdb');
    const seen: number[] = [];
    for (const point of ['after-commit:3', 'staged-record:300', 'before-commit:5']) {
      const outcome = await runCli(crashed, point);
      expect(outcome.signal).toBe('SIGKILL');
      const partial = await idsIn(crashed);
      expect(partial.duplicates).toBe(0);
      seen.push(partial.ids.length);
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(EXPECTED);
    expect(await runCli(crashed)).toEqual({ code: 0, signal: null });
    const after = await idsIn(crashed);
    expect(after.duplicates).toBe(0);
    expect(after.ids).toEqual(expected.ids);
  }, 120_000);
});
