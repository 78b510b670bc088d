import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/store/open-store.js';
import { type CloudTrailFake, startCloudTrailFake } from '../../fakes/aws-cloudtrail-fake.js';
import { type S3Fake, startS3Fake } from '../../fakes/aws-s3-fake.js';
import {
  type BuiltChain,
  buildChain,
  type SigningKey,
  throwawayKey,
} from '../../helpers/cloudtrail-digests.js';
import { ACCOUNT_A, FAST_RETRY, ingestAws, KEYS, testContext } from './helpers.js';

const NOW = Date.parse('2026-11-03T12:00:00Z');
const BUCKET = 'trail-bucket';
const PREFIX = 'trail/';
// The chain starts the hour before the first run's start: that hour's log files are not read by the
// run (they lie in the 11/01 folder), so verification fetches them itself.
const CHAIN_START = Date.parse('2026-11-01T23:00:00Z');
let key: SigningKey;
let s3: S3Fake | null = null;
let ct: CloudTrailFake | null = null;
let store: Store | null = null;

beforeAll(() => {
  key = throwawayKey();
});

afterEach(async () => {
  store?.close();
  store = null;
  await s3?.close();
  await ct?.close();
  s3 = null;
  ct = null;
});

function chain(): BuiltChain {
  return buildChain({
    key,
    account: ACCOUNT_A,
    region: 'us-east-1',
    trail: 'main',
    bucket: BUCKET,
    prefix: PREFIX,
    start: CHAIN_START,
    hours: 4,
  });
}

/** The fakes, with the chain delivered as CloudTrail delivers it (signature in S3 metadata). */
async function setup(
  c: BuiltChain,
  options: { denyPublicKeys?: boolean } = {},
): Promise<{ s3: S3Fake; ct: CloudTrailFake; store: Store }> {
  s3 = await startS3Fake({ pageSize: 5 });
  s3.createBucket(BUCKET);
  for (const log of c.logs) s3.put(BUCKET, `${PREFIX}${log.key}`, log.body);
  for (const d of c.digests) {
    s3.put(BUCKET, `${PREFIX}${d.key}`, d.body, {
      signature: d.signature,
      'signature-algorithm': 'SHA256withRSA',
    });
  }
  ct = await startCloudTrailFake({
    accounts: { [KEYS.a]: ACCOUNT_A },
    publicKeys: [
      { fingerprint: key.fingerprint, value: key.publicValue, from: CHAIN_START - 86_400_000, to: NOW },
    ],
    fault: options.denyPublicKeys
      ? () => ({
          kind: 'error',
          status: 400,
          type: 'AccessDeniedException',
          message: 'not authorized to perform cloudtrail:ListPublicKeys',
        })
      : undefined,
  });
  store = await openStore({ path: ':memory:' });
  return { s3, ct, store };
}

function source(s3Url: string, ctUrl: string) {
  return {
    mode: 's3',
    bucket: BUCKET,
    prefix: 'trail',
    start: '2026-11-02',
    retry: FAST_RETRY,
    endpoint: s3Url,
    cloudtrail_endpoint: ctUrl,
    credentials: {
      access_key_id_env: 'AUDITLAKE_TEST_KEY_A',
      secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
    },
  };
}

async function rows(s: Store, sql: string): Promise<Record<string, unknown>[]> {
  return (await s.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function statuses(s: Store): Promise<Record<string, string>> {
  const list = await rows(
    s,
    `select strftime(digest_end, '%H') as hour, status from cloudtrail_digests order by digest_end`,
  );
  return Object.fromEntries(list.map((r) => [String(r.hour), String(r.status)]));
}

async function run(env: { s3: S3Fake; ct: CloudTrailFake; store: Store }) {
  return ingestAws(env.store.connection, [source(env.s3.url, env.ct.url)], testContext(NOW));
}

describe('CloudTrail digests from the S3 trail connector', () => {
  it('verifies signatures from S3 metadata with keys from ListPublicKeys; a rerun reads nothing again', async () => {
    const c = chain();
    const env = await setup(c);
    const [summary] = await run(env);
    expect(summary).toMatchObject({ status: 'ok', events_new: 18 });
    expect(await statuses(env.store)).toEqual({ '00': 'valid', '01': 'valid', '02': 'valid', '03': 'valid' });
    const logs = await rows(
      env.store,
      'select status, count(*)::int as n from cloudtrail_digest_log_files group by all',
    );
    expect(logs).toEqual([{ status: 'valid', n: 8 }]);
    // The hour before the start: its two log files were fetched for the check, not ingested.
    const fetched = env.s3.log.filter((r) => r.op === 'GetObject' && r.key?.includes('/2026/11/01/'));
    expect(fetched).toHaveLength(2);
    expect(env.ct.publicKeyRequests).toHaveLength(1);
    expect(env.ct.publicKeyRequests[0]?.region).toBe('us-east-1');
    const [keyRow] = await rows(env.store, 'select fingerprint, source from cloudtrail_public_keys');
    expect(keyRow).toEqual({ fingerprint: key.fingerprint, source: 'ListPublicKeys' });

    const mark = env.s3.log.length;
    const [again] = await run(env);
    expect(again).toMatchObject({ status: 'ok', events_new: 0 });
    expect(env.s3.log.slice(mark).filter((r) => r.op === 'GetObject')).toEqual([]);
    expect(env.ct.publicKeyRequests).toHaveLength(1);
    const [counts] = await rows(
      env.store,
      `select (select count(*) from cloudtrail_digests)::int as digests,
        (select count(*) from cloudtrail_digest_log_files)::int as logs,
        (select count(*) from cloudtrail_log_hashes)::int as hashes`,
    );
    expect(counts).toEqual({ digests: 4, logs: 8, hashes: 8 });
  });

  it('finds a log file whose content does not have the hash its digest records', async () => {
    const c = chain();
    const victim = c.logs[4];
    if (!victim) throw new Error('no log');
    victim.body = Buffer.from(JSON.stringify({ Records: [] }));
    const env = await setup(c);
    await run(env);
    expect(await statuses(env.store)).toEqual({
      '00': 'valid',
      '01': 'valid',
      '02': 'log_hash_mismatch',
      '03': 'valid',
    });
    const [bad] = await rows(
      env.store,
      `select log_key, status from cloudtrail_digest_log_files where status <> 'valid'`,
    );
    expect(bad).toEqual({ log_key: victim.key, status: 'hash_mismatch' });
  });

  it('names a deleted digest missing and a digest whose signature metadata was altered bad', async () => {
    const c = chain();
    const env = await setup(c);
    env.s3.remove(BUCKET, `${PREFIX}${c.digests[1]?.key}`);
    const d3 = c.digests[2];
    if (!d3) throw new Error('no digest');
    // A signature of other content (the last digest's), put on the third digest.
    env.s3.put(BUCKET, `${PREFIX}${d3.key}`, d3.body, { signature: c.digests[3]?.signature ?? '' });
    await run(env);
    expect(await statuses(env.store)).toEqual({
      '00': 'valid',
      '01': 'missing',
      '02': 'bad_signature',
      '03': 'valid',
    });
    const [bad] = await rows(
      env.store,
      `select detail from cloudtrail_digests where status = 'bad_signature'`,
    );
    expect(String(bad?.detail)).toMatch(/the signature in its S3 metadata does not verify/);
    expect(String(bad?.detail)).toMatch(/records a different signature/);
  });

  it('without ListPublicKeys permission checks the chain and log files, signatures unverifiable', async () => {
    const c = chain();
    const env = await setup(c, { denyPublicKeys: true });
    let digestSummary: unknown = null;
    const { awsSourceSchema } = await import('../../../src/config/sources/aws.js');
    const { awsConnectors } = await import('../../../src/connectors/aws/index.js');
    const { ingestSources } = await import('../../../src/ingest/ingest-sources.js');
    const { startRun } = await import('../../../src/store/runs.js');
    const connectors = awsConnectors.connectors(
      [awsSourceSchema.parse(source(env.s3.url, env.ct.url))],
      testContext(NOW),
    );
    const [summary] = await ingestSources(
      env.store.connection,
      await startRun(env.store.connection, 'test'),
      connectors,
      {
        onDigests: (s) => {
          digestSummary = s;
        },
      },
    );
    expect(summary?.status).toBe('ok');
    expect(digestSummary).toMatchObject({
      digests: 4,
      statuses: { unverifiable: 4 },
      problems: [expect.stringMatching(/ListPublicKeys in us-east-1 failed: .*not authorized/)],
    });
    const logs = await rows(
      env.store,
      'select status, count(*)::int as n from cloudtrail_digest_log_files group by all',
    );
    expect(logs).toEqual([{ status: 'valid', n: 8 }]);
  });
});
