import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSourceSchema } from '../../../src/config/sources/aws.js';
import { awsConnectors } from '../../../src/connectors/aws/index.js';
import { type CloudTrailFake, startCloudTrailFake } from '../../fakes/aws-cloudtrail-fake.js';
import { type S3Fake, startS3Fake } from '../../fakes/aws-s3-fake.js';
import { ACCOUNT_A, ACCOUNT_B, accountKeys, KEYS, record, testContext, trailObject } from './helpers.js';

let ct: CloudTrailFake;
let s3: S3Fake;
const KEY = `AWSLogs/${ACCOUNT_A}/CloudTrail/us-east-1/2026/11/02/${ACCOUNT_A}_CloudTrail_us-east-1_20261102T1000Z_a.json.gz`;

beforeAll(async () => {
  ct = await startCloudTrailFake({
    accounts: { [KEYS.a]: ACCOUNT_A, [KEYS.b]: ACCOUNT_B },
    fault: (r) =>
      r.account === ACCOUNT_B && r.region === 'eu-west-1'
        ? {
            kind: 'error',
            status: 400,
            type: 'AccessDeniedException',
            message: 'not authorized to perform cloudtrail:LookupEvents',
          }
        : null,
  });
  s3 = await startS3Fake({
    accessKeys: [KEYS.a],
    fault: (r) =>
      r.op === 'GetObject' && r.bucket === 'kms-trail'
        ? {
            kind: 'error',
            status: 403,
            code: 'AccessDenied',
            message: 'User is not authorized to perform: kms:Decrypt',
          }
        : null,
  });
  for (const bucket of ['trail', 'kms-trail'])
    s3.put(bucket, KEY, trailObject([record(1, Date.parse('2026-11-02T10:00:00Z'), ACCOUNT_A, 'us-east-1')]));
});

afterAll(async () => {
  await ct.close();
  await s3.close();
});

const context = testContext(Date.parse('2026-11-02T12:00:00Z'));

describe('aws doctor', () => {
  it('checks credentials and cloudtrail:LookupEvents per account and region without ingesting', async () => {
    process.env.AUDITLAKE_TEST_KEY_BAD = 'AKIAUNKNOWNKEY000000';
    const source = awsSourceSchema.parse({
      mode: 'api',
      accounts: [
        accountKeys(ACCOUNT_A, 'A'),
        accountKeys(ACCOUNT_B, 'B'),
        {
          id: '999988887777',
          access_key_id_env: 'AUDITLAKE_TEST_KEY_BAD',
          secret_access_key_env: 'AUDITLAKE_TEST_SECRET',
        },
      ],
      regions: ['us-east-1', 'eu-west-1'],
      endpoint: ct.url,
    });
    const before = ct.log.length;
    const checks = await awsConnectors.doctor([source], context);
    expect(checks.map((c) => [c.scope, c.check, c.ok])).toEqual([
      [`account ${ACCOUNT_A}`, 'credentials', true],
      [`account ${ACCOUNT_A} us-east-1`, 'cloudtrail:LookupEvents', true],
      [`account ${ACCOUNT_A} eu-west-1`, 'cloudtrail:LookupEvents', true],
      [`account ${ACCOUNT_B}`, 'credentials', true],
      [`account ${ACCOUNT_B} us-east-1`, 'cloudtrail:LookupEvents', true],
      [`account ${ACCOUNT_B} eu-west-1`, 'cloudtrail:LookupEvents', false],
      ['account 999988887777', 'credentials', false],
    ]);
    expect(checks[5]?.detail).toMatch(
      /^cloudtrail:LookupEvents denied: AccessDeniedException: .* \(request id ct-req-\d+\)$/,
    );
    expect(checks[6]?.detail).toMatch(
      /^keys from \$AUDITLAKE_TEST_KEY_BAD: credentials rejected or expired: UnrecognizedClientException/,
    );
    // One request of one event per account-region.
    expect(ct.log.slice(before).every((r) => r.body.MaxResults === 1)).toBe(true);
  });

  const s3Source = (bucket: string, key = 'AUDITLAKE_TEST_KEY_A', extra: Record<string, unknown> = {}) =>
    awsSourceSchema.parse({
      mode: 's3',
      bucket,
      endpoint: s3.url,
      cloudtrail_endpoint: ct.url,
      credentials: { access_key_id_env: key, secret_access_key_env: 'AUDITLAKE_TEST_SECRET' },
      ...extra,
    });

  it('checks the bucket, s3:ListBucket and s3:GetObject (and says when KMS refuses)', async () => {
    const ok = await awsConnectors.doctor([s3Source('trail')], context);
    expect(ok.map((c) => [c.check, c.ok])).toEqual([
      ['bucket', true],
      ['credentials', true],
      ['s3:ListBucket', true],
      ['s3:GetObject', true],
      ['cloudtrail:ListPublicKeys', true],
    ]);
    expect(ok[2]?.detail).toBe(`1 account/region folder(s) under AWSLogs/: ${ACCOUNT_A}/us-east-1`);
    // Doctor reads one byte, never a whole object.
    expect(s3.log.filter((r) => r.op === 'GetObject').length).toBe(1);

    const kms = await awsConnectors.doctor(
      [s3Source('kms-trail', undefined, { verify_digests: false })],
      context,
    );
    expect(kms.at(-1)).toMatchObject({ check: 's3:GetObject', ok: false });
    expect(kms.at(-1)?.detail).toMatch(
      /kms:Decrypt denied on the trail key: AccessDenied: .*\(request id s3-req-\d+\)$/,
    );

    const missing = await awsConnectors.doctor([s3Source('no-such-bucket')], context);
    expect(missing.map((c) => [c.check, c.ok])).toEqual([
      ['bucket', false],
      ['s3:ListBucket', false],
      ['cloudtrail:ListPublicKeys', true],
    ]);
    expect(missing[1]?.detail).toMatch(
      /^does not exist: NoSuchBucket: The specified bucket does not exist \(request id s3-req-\d+\)$/,
    );

    const refused = await awsConnectors.doctor([s3Source('trail', 'AUDITLAKE_TEST_KEY_B')], context);
    expect(refused.find((c) => c.check === 'credentials')).toMatchObject({ ok: false });
    expect(refused.find((c) => c.check === 'credentials')?.detail).toMatch(
      /^credentials rejected or expired: InvalidAccessKeyId/,
    );
  });

  it('checks cloudtrail:ListPublicKeys when digests are verified, in the region of the first trail folder', async () => {
    const denied = await startCloudTrailFake({
      accounts: { [KEYS.a]: ACCOUNT_A },
      fault: () => ({
        kind: 'error',
        status: 400,
        type: 'AccessDeniedException',
        message: 'User is not authorized to perform: cloudtrail:ListPublicKeys',
      }),
    });
    try {
      const checks = await awsConnectors.doctor(
        [s3Source('trail', undefined, { cloudtrail_endpoint: denied.url })],
        context,
      );
      expect(checks.at(-1)).toMatchObject({ check: 'cloudtrail:ListPublicKeys', ok: false });
      expect(checks.at(-1)?.detail).toMatch(
        /^us-east-1: cloudtrail:ListPublicKeys denied: AccessDeniedException: .*\(request id ct-req-\d+\); digest files cannot be verified without it \(or set verify_digests: false\)$/,
      );
      expect(denied.publicKeyRequests.map((r) => r.region)).toEqual(['us-east-1']);
      // Not asked when digests are not verified.
      const skipped = await awsConnectors.doctor(
        [s3Source('trail', undefined, { cloudtrail_endpoint: denied.url, verify_digests: false })],
        context,
      );
      expect(skipped.map((c) => c.check)).not.toContain('cloudtrail:ListPublicKeys');
      expect(denied.publicKeyRequests).toHaveLength(1);
    } finally {
      await denied.close();
    }
  });
});
